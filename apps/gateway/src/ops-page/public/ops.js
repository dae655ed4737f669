// The operator page's entry module: plain DOM and SVG, no framework, no build step. It asks for
// an operator token, then loads every section from the /v1/ops API every few seconds; a section
// that fails says so in place, and a rejected token brings the sign-in back with the reason.

import { api, AuthProblem, codecSession, forgetToken, hasToken, saveToken } from './api.js';
import { renderBacklogChart, renderOverdueChart } from './charts.js';
import { renderDegradedModes } from './degraded-modes.js';
import { byId, clock, message } from './dom.js';
import { renderFindings } from './findings.js';
import { renderMigration } from './migration.js';
import { renderOpenReturns } from './open-returns.js';
import { loadStuckOrders, renderStuckOrders } from './stuck-orders.js';

const REFRESH_MS = 5000;
let timer;

const sections = [
  [() => api('/v1/ops/backlog/history'), renderBacklogChart, 'backlog-chart'],
  [() => api('/v1/ops/backlog'), renderOverdueChart, 'overdue-chart'],
  [() => api('/v1/ops/degraded-modes'), renderDegradedModes, 'degraded-modes'],
  [loadStuckOrders, ([result, overdue]) => renderStuckOrders(result, overdue), 'stuck-orders'],
  [() => api('/v1/ops/returns?limit=10'), renderOpenReturns, 'open-returns'],
  [() => api('/v1/ops/reconciliation/findings?status=open'), renderFindings, 'findings'],
  [() => api('/v1/ops/migration'), renderMigration, 'migration'],
];

async function refresh() {
  clearTimeout(timer);
  const results = await Promise.allSettled(sections.map(([load]) => load()));
  const denied = results.find((r) => r.status === 'rejected' && r.reason instanceof AuthProblem);
  if (denied) return showLogin(denied.reason.message);
  let failures = 0;
  results.forEach((result, i) => {
    const [, render, id] = sections[i];
    if (result.status === 'fulfilled') return render(result.value);
    failures++;
    message(byId(id), `Could not load: ${result.reason.message}`);
  });
  byId('status').textContent =
    `${failures ? `${failures} section(s) failed · ` : ''}updated ${clock(Date.now())}`;
  timer = setTimeout(refresh, REFRESH_MS);
}

function showLogin(problem) {
  clearTimeout(timer);
  forgetToken();
  byId('dashboard').hidden = true;
  byId('logout').hidden = true;
  byId('status').textContent = '';
  byId('login-error').textContent = problem || '';
  byId('login').hidden = false;
  byId('token').focus();
}

function showDashboard() {
  byId('login').hidden = true;
  byId('dashboard').hidden = false;
  byId('logout').hidden = false;
  refresh().catch((error) => (byId('status').textContent = `refresh failed: ${error.message}`));
}

// A module script runs once the document is parsed: the elements are all there.
byId('login').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = byId('token')
    .value.trim()
    .replace(/^Bearer\s+/i, '');
  if (!token) return;
  saveToken(token);
  codecSession(true).catch(() => undefined);
  byId('token').value = '';
  byId('login-error').textContent = '';
  showDashboard();
});
byId('logout').addEventListener('click', () => {
  codecSession(false).catch(() => undefined);
  showLogin('');
});
if (hasToken()) showDashboard();
else showLogin('');
