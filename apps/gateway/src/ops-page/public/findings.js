// The reconciliation exception queue, by status (open first), a page that can grow; each open
// finding can be resolved (a note is required and audited) and any order re-checked with a
// scoped re-run, as can a time window.

import { actionButton } from './actions.js';
import { api } from './api.js';
import { byId, message, orderLink, stamp, table } from './dom.js';
import { firstPage, listState, moreButton } from './lists.js';

const state = listState({ limit: 20 });
state.status = 'open';

export const loadFindings = () =>
  api(`/v1/ops/reconciliation/findings?status=${state.status}&limit=${state.limit}`);

const describeRun = (body) =>
  `Re-run ${body.runId} started (${body.status}); its findings appear in this list when it is done.`;

export function rerunOrderAction(orderId, onDone) {
  return {
    title: `Re-run reconciliation for order ${orderId}`,
    effect:
      'Compares what this order holds at the warehouse and the payment gateway with what the platform recorded; a difference is repaired or queued here. Running it again is harmless.',
    confirmLabel: 'Start the re-run',
    request: () => ['POST', '/v1/ops/reconciliation/runs', { orderId }],
    describe: describeRun,
    onDone,
  };
}

function resolveAction(finding, onDone) {
  return {
    title: `Resolve finding ${finding.id}`,
    effect: `Marks "${finding.kind}" on order ${finding.orderId} as resolved by you: it leaves the open queue. Nothing is changed at the warehouse or payment gateway.`,
    fields: [
      {
        name: 'note',
        label: 'What you did about it (required, kept in the audit)',
        type: 'textarea',
        required: true,
      },
    ],
    confirmLabel: 'Resolve',
    request: ({ note }) => [
      'POST',
      `/v1/ops/reconciliation/findings/${encodeURIComponent(finding.id)}/resolve`,
      { note },
    ],
    describe: (body) => `Resolved by ${body.resolvedBy}.`,
    onDone,
  };
}

function windowRunAction(onDone) {
  const hourAgo = new Date(Date.now() - 3600_000);
  const local = (date) =>
    new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  return {
    title: 'Re-run reconciliation for a time window',
    effect:
      'Re-checks every order placed in the window, paced so it cannot become a backlog of its own; differences are repaired or queued here.',
    fields: [
      { name: 'from', label: 'Orders placed from', type: 'datetime-local', value: local(hourAgo) },
      { name: 'to', label: 'until', type: 'datetime-local', value: local(new Date()) },
    ],
    preview: ({ from, to }) =>
      from && to && Date.parse(from) >= Date.parse(to) ? 'The window ends before it starts.' : '',
    confirmLabel: 'Start the re-run',
    request: ({ from, to }) => [
      'POST',
      '/v1/ops/reconciliation/runs',
      { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    ],
    describe: describeRun,
    onDone,
  };
}

/** The filter and the window re-run, drawn once. */
export function setUpFindings(refresh) {
  const status = byId('findings-status');
  status.addEventListener('change', () => {
    state.status = status.value;
    firstPage(state);
    refresh();
  });
  byId('findings-controls').append(
    actionButton('Re-run a time window…', () => windowRunAction(refresh), {
      'data-focus-key': 'findings-window',
    }),
  );
}

export function renderFindings(result, refresh) {
  const container = byId('findings');
  const findings = result.findings || [];
  if (findings.length === 0) return message(container, `No ${state.status} findings.`);
  const rows = findings.map((finding) => {
    const actions = [];
    if (finding.status === 'open') {
      actions.push(
        actionButton('Resolve', () => resolveAction(finding, refresh), {
          'data-focus-key': `resolve-${finding.id}`,
          'aria-label': `Resolve finding ${finding.id}`,
        }),
      );
    }
    if (finding.orderId) {
      actions.push(
        actionButton('Re-run', () => rerunOrderAction(finding.orderId, refresh), {
          'data-focus-key': `rerun-${finding.id}`,
          'aria-label': `Re-run reconciliation for order ${finding.orderId}`,
        }),
      );
    }
    const outcome = finding.note ? `${finding.resolvedBy || ''}: ${finding.note}` : '';
    return {
      attrs: { 'data-finding': finding.id },
      cells: [
        finding.kind,
        finding.orderId ? orderLink(finding.orderId) : '—',
        finding.detail || finding.subject || '',
        stamp(finding.foundAt),
        outcome || actions,
      ],
    };
  });
  container.replaceChildren(
    table(['Kind', 'Order', 'Detail', 'Found', 'Act'], rows, 'Reconciliation findings'),
    moreButton(state, findings.length, refresh, 'findings-more'),
  );
}
