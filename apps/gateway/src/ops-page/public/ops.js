// The operator page's entry module: plain DOM and SVG, no framework, no build step. It asks for
// an operator token, then loads every section from the /v1/ops API every few seconds (not while
// a confirmation is open); a section that fails says so in place, and a rejected token brings
// the sign-in back with the reason. #/orders/<id> shows one order instead of the overview.
// A section is drawn again only when its data changed, and the control that had the focus gets
// it back, so a keyboard user is not thrown out of a list by the refresh. A refresh overtaken by
// a newer one (a filter changed while the periodic load was on its way) draws nothing: its
// answers were asked with the old filters.

import { setUpActions } from './actions.js';
import { api, AuthProblem, codecSession, forgetToken, hasToken, saveToken } from './api.js';
import { renderBacklogChart, renderOverdueChart } from './charts.js';
import { loadDeadLetters, renderDeadLetters, setUpDeadLetters } from './dead-letters.js';
import { renderDegradedModes } from './degraded-modes.js';
import { byId, clock, message } from './dom.js';
import { loadFindings, renderFindings, setUpFindings } from './findings.js';
import { renderMigration } from './migration.js';
import { renderOpenReturns } from './open-returns.js';
import { loadTasks, renderTasks, setUpTasks } from './operator-tasks.js';
import { orderIdInHash, renderOrderPage } from './order-page.js';
import { loadReviewQueue, renderReviewQueue } from './review-queue.js';
import { loadStuckOrders, renderStuckOrders, setUpStuckOrders } from './stuck-orders.js';

const REFRESH_MS = 5000;
let timer;
let latestRefresh = 0;
const lastData = new Map();

const sections = [
  [() => api('/v1/ops/backlog/history'), renderBacklogChart, 'backlog-chart'],
  [() => api('/v1/ops/backlog'), renderOverdueChart, 'overdue-chart'],
  [() => api('/v1/ops/degraded-modes'), renderDegradedModes, 'degraded-modes'],
  [loadStuckOrders, renderStuckOrders, 'stuck-orders'],
  [loadReviewQueue, renderReviewQueue, 'review-queue'],
  [loadTasks, renderTasks, 'operator-tasks'],
  [() => api('/v1/ops/returns?limit=10'), renderOpenReturns, 'open-returns'],
  [loadFindings, renderFindings, 'findings'],
  [loadDeadLetters, renderDeadLetters, 'dead-letters'],
  [
    () => Promise.all([api('/v1/ops/migration'), api('/v1/ops/routing')]),
    renderMigration,
    'migration',
  ],
];

/** Runs `draw`, putting the focus back on the same control (by its data-focus-key) if it went. */
async function keepingFocus(draw) {
  const focused = document.activeElement;
  const key = focused && focused.getAttribute && focused.getAttribute('data-focus-key');
  await draw();
  if (key && !document.contains(focused)) {
    const again = document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

const redraw = (render, value) => keepingFocus(() => render(value, refreshSoon));

async function refresh({ force = false } = {}) {
  clearTimeout(timer);
  if (byId('confirm').open) {
    timer = setTimeout(refresh, REFRESH_MS);
    return;
  }
  const mine = ++latestRefresh;
  const overtaken = () => mine !== latestRefresh;
  const orderId = orderIdInHash();
  if (orderId !== undefined) {
    try {
      await keepingFocus(() => renderOrderPage(orderId, refreshSoon, overtaken));
    } catch (error) {
      if (error instanceof AuthProblem) return showLogin(error.message);
      throw error;
    }
    if (overtaken()) return;
    byId('status').textContent = `updated ${clock(Date.now())}`;
    return;
  }
  const results = await Promise.allSettled(sections.map(([load]) => load()));
  if (overtaken()) return;
  const denied = results.find((r) => r.status === 'rejected' && r.reason instanceof AuthProblem);
  if (denied) return showLogin(denied.reason.message);
  let failures = 0;
  results.forEach((result, i) => {
    const [, render, id] = sections[i];
    if (result.status === 'fulfilled') {
      const json = JSON.stringify(result.value);
      if (force || lastData.get(id) !== json) redraw(render, result.value);
      lastData.set(id, json);
      return;
    }
    failures++;
    lastData.delete(id);
    message(byId(id), `Could not load: ${result.reason.message}`);
  });
  byId('status').textContent =
    `${failures ? `${failures} section(s) failed · ` : ''}updated ${clock(Date.now())}`;
  timer = setTimeout(refresh, REFRESH_MS);
}

/** After an action or a filter change: load again now and draw every section. */
function refreshSoon() {
  refresh({ force: true }).catch(reportFailure);
}

const reportFailure = (error) => (byId('status').textContent = `refresh failed: ${error.message}`);

function showLogin(problem) {
  clearTimeout(timer);
  forgetToken();
  lastData.clear();
  for (const id of ['dashboard', 'order-page', 'logout', 'order-search']) byId(id).hidden = true;
  byId('status').textContent = '';
  byId('login-error').textContent = problem || '';
  byId('login').hidden = false;
  byId('token').focus();
}

/** The overview, or one order's page when the address names one. */
function showView() {
  if (!hasToken()) return showLogin('');
  byId('login').hidden = true;
  byId('logout').hidden = false;
  byId('order-search').hidden = false;
  const onOrder = orderIdInHash() !== undefined;
  byId('dashboard').hidden = onOrder;
  byId('order-page').hidden = !onOrder;
  if (onOrder) {
    byId('order-content').replaceChildren();
    byId('order-title').focus();
  }
  refresh({ force: true }).catch(reportFailure);
}

// A module script runs once the document is parsed: the elements are all there.
setUpActions();
setUpStuckOrders(refreshSoon);
setUpTasks(refreshSoon);
setUpFindings(refreshSoon);
setUpDeadLetters(refreshSoon);
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
  showView();
});
byId('order-search').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = byId('order-search-id').value.trim();
  if (!id) return;
  location.hash = `#/orders/${encodeURIComponent(id)}`;
});
byId('confirm').addEventListener('close', () => refreshSoon());
window.addEventListener('hashchange', showView);
byId('logout').addEventListener('click', () => {
  codecSession(false).catch(() => undefined);
  showLogin('');
});
showView();
