// One order's page, within this page at #/orders/<id>: what the customer is told, its
// lifecycle (every stage with its time, the deadline of the one it is in), what it holds now
// (reservation, authorization, with their expiries), its compensations, returns, the
// notifications its customer was sent, the comparisons of a monolith order, what operators did
// to it, its tasks and findings, and a link into the Temporal UI. The actions that fit it are
// here too: decide a review, cancel for the customer, re-run reconciliation, close a task.

import { actionButton } from './actions.js';
import { api, AuthProblem } from './api.js';
import { byId, el, link, message, stamp, table } from './dom.js';
import { rerunOrderAction } from './findings.js';
import { closeTaskAction } from './operator-tasks.js';
import { reviewAction } from './review-queue.js';

const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The order id in the address (#/orders/<id>), or undefined on the overview. */
export function orderIdInHash() {
  const match = /^#\/orders\/(.+)$/.exec(location.hash);
  if (!match) return undefined;
  const id = decodeURIComponent(match[1]);
  return ORDER_ID.test(id) ? id : '';
}

const money = (minor, currency) => `${(Number(minor) / 100).toFixed(2)} ${currency}`;

function cancelAction(order, onDone) {
  return {
    title: `Cancel order ${order.orderId} for the customer`,
    effect: `Cancels it as if customer ${order.customerId} had: the reservation and the payment authorization are released and the customer is told. An order past the point of no return (dispatched, being charged, shipped) or placed in the monolith refuses, and you see why.`,
    fields: [
      {
        name: 'reason',
        label: 'Why (required, kept in the audit)',
        type: 'textarea',
        required: true,
      },
    ],
    confirmLabel: 'Cancel the order',
    request: ({ reason }) => [
      'POST',
      `/v1/ops/orders/${encodeURIComponent(order.orderId)}/cancel`,
      { reason },
    ],
    describe: (body) => `${body.detail} (${body.outcome}; audit ${body.auditId}).`,
    onDone,
  };
}

function section(title, ...content) {
  const node = el('section', { class: 'wide' });
  node.append(el('h3', {}, title), ...content);
  return node;
}

/** `items` as a table, a row each (`{ attrs, cells }` from `row`), or `empty` when there are none. */
function listOrEmpty(items, { headings, caption, row, empty = 'None.' }) {
  return items.length
    ? table(headings, items.map(row), caption)
    : el('p', { class: 'empty' }, empty);
}

function timeline(order) {
  const rows = order.history.map((step, i) => {
    const current = i === order.history.length - 1 && step.stage === order.stage;
    return {
      attrs: { 'data-step': step.stage },
      cells: [
        step.stage,
        stamp(step.at),
        current && order.stageDeadline ? stamp(order.stageDeadline) : '',
        step.reason || '',
      ],
    };
  });
  return rows.length
    ? table(['Stage', 'Entered', 'Deadline', 'Why'], rows, 'Lifecycle')
    : el('p', { class: 'empty' }, 'No stage recorded yet.');
}

function holds(commitments) {
  const rows = [];
  const { fraud, stock, payment, shipment } = commitments || {};
  if (fraud)
    rows.push([
      'Fraud screening',
      `approved by ${fraud.decidedBy}${fraud.flag ? ` (${fraud.flag})` : ''}`,
      stamp(fraud.at),
    ]);
  if (stock)
    rows.push([
      'Stock',
      `${stock.state} · ${stock.reservationId}`,
      stock.expiresAt ? `expires ${stamp(stock.expiresAt)}` : '',
    ]);
  if (payment)
    rows.push([
      'Payment',
      `${payment.state} ${money(payment.amountMinor, payment.currency)} · ${payment.authorizationId}`,
      payment.expiresAt ? `expires ${stamp(payment.expiresAt)}` : '',
    ]);
  if (shipment) rows.push(['Shipment', `${shipment.state} · ${shipment.shipmentId}`, '']);
  if (rows.length === 0) return el('p', { class: 'empty' }, 'It holds nothing.');
  return table(
    ['What', 'State', 'When'],
    rows.map((cells) => ({ cells })),
    'Holds',
  );
}

export async function renderOrderPage(orderId, refreshAll, overtaken = () => false) {
  const container = byId('order-content');
  byId('order-title').textContent = `Order ${orderId}`;
  if (orderId === '') return message(container, 'That is not an order id.');
  let detail;
  try {
    detail = await api(`/v1/ops/orders/${encodeURIComponent(orderId)}`);
  } catch (error) {
    if (error instanceof AuthProblem) throw error;
    if (overtaken()) return;
    return message(container, `Could not load order ${orderId}: ${error.message}`);
  }
  // Another order was opened (or the page reloaded) while this one was on its way.
  if (overtaken()) return;
  const { order } = detail;
  const reload = refreshAll;
  const summary = el('dl', { class: 'summary' });
  for (const [term, value] of [
    ['Customer is told', order.status],
    ['Stage', `${order.stage} since ${stamp(order.stageEnteredAt)}`],
    ['Deadline', order.stageDeadline ? stamp(order.stageDeadline) : 'none'],
    ['Customer', `${order.customerId} (${order.segment})`],
    ['Placed', stamp(order.placedAt)],
    ['Total', `${money(order.totalMinor, order.currency)}${order.expedited ? ' · expedited' : ''}`],
    [
      'Decided by',
      order.migrationRoute === 'new' ? 'the platform' : `the monolith (${order.migrationRoute})`,
    ],
    ['Needs attention', order.needsAttention || 'no'],
  ]) {
    summary.append(el('dt', {}, term), el('dd', {}, value));
  }
  const actions = el('div', { class: 'actions' });
  if (order.stage === 'ManualReviewRequired') {
    actions.append(
      actionButton('Approve…', () => reviewAction(order.orderId, 'approve', reload), {
        id: 'order-approve',
        'data-focus-key': 'order-approve',
      }),
      actionButton('Reject…', () => reviewAction(order.orderId, 'reject', reload), {
        id: 'order-reject',
        'data-focus-key': 'order-reject',
        class: 'danger',
      }),
    );
  }
  if (order.cancellable) {
    actions.append(
      actionButton('Cancel for the customer…', () => cancelAction(order, reload), {
        id: 'order-cancel',
        'data-focus-key': 'order-cancel',
        class: 'danger',
      }),
    );
  }
  actions.append(
    actionButton('Re-run reconciliation…', () => rerunOrderAction(order.orderId, reload), {
      id: 'order-rerun',
      'data-focus-key': 'order-rerun',
    }),
    link(detail.links.temporalUi, 'Open in the Temporal UI', { id: 'order-temporal' }),
  );

  const parts = [
    section('Summary', summary, actions),
    section('Lifecycle', timeline(order)),
    section('What it holds now', holds(order.commitments)),
  ];
  parts.push(
    section(
      'Compensations',
      listOrEmpty(order.compensations, {
        headings: ['Undo', 'State', 'Rounds', 'When', 'Last error'],
        caption: 'Compensations',
        row: (c) => ({ cells: [c.name, c.status, c.attempts, stamp(c.at), c.lastError || ''] }),
      }),
    ),
  );
  if (order.returns.length) {
    parts.push(
      section(
        'Returns',
        table(
          ['Return', 'State', 'Requested'],
          order.returns.map((r) => ({
            cells: [r.returnId, r.state, r.requestedAt ? stamp(r.requestedAt) : ''],
          })),
          'Returns',
        ),
      ),
    );
  }
  parts.push(
    section(
      'Notifications sent',
      listOrEmpty(detail.notifications, {
        headings: ['What', 'By', 'Sent', 'Notification id'],
        caption: 'Notifications sent to the customer',
        row: (n) => ({
          attrs: { 'data-notification': n.returnId ? `${n.kind}:${n.returnId}` : n.kind },
          cells: [
            n.returnId ? `${n.kind} (return ${n.returnId})` : n.kind,
            n.channel,
            stamp(n.sentAt),
            n.notificationId,
          ],
        }),
        empty: 'None yet.',
      }),
    ),
  );
  if (detail.comparisons.length || order.stageRoutes) {
    parts.push(
      section(
        'Comparisons with the monolith',
        listOrEmpty(detail.comparisons, {
          headings: ['Stage', 'Outcome', 'Differs in', 'Compared'],
          caption: 'Comparisons',
          row: (c) => ({
            attrs: { 'data-comparison': c.subject ? `${c.stage}:${c.subject}` : c.stage },
            cells: [
              c.subject ? `${c.stage} (${c.subject})` : c.stage,
              `${c.outcome}${c.excused ? ' (excused by a rule)' : ''}`,
              Array.isArray(c.differences) ? c.differences.map((d) => d.field).join(', ') : '',
              stamp(c.comparedAt),
            ],
          }),
          empty: 'No comparison yet.',
        }),
      ),
    );
  }
  parts.push(
    section(
      'Operator tasks',
      listOrEmpty(detail.tasks, {
        headings: ['Kind', 'Why', 'State', 'Act'],
        caption: 'Operator tasks of this order',
        row: (task) => ({
          cells: [
            task.kind,
            task.reason,
            task.status === 'open' ? 'open' : `${task.outcome} by ${task.closedBy}`,
            task.status === 'open'
              ? actionButton('Close…', () => closeTaskAction(task, reload))
              : '',
          ],
        }),
      }),
    ),
    section(
      'Reconciliation findings',
      listOrEmpty(detail.findings, {
        headings: ['Kind', 'Detail', 'State', 'Found'],
        caption: 'Findings of this order',
        row: (f) => ({ cells: [f.kind, f.detail, f.status, stamp(f.foundAt)] }),
      }),
    ),
    section(
      'What operators did',
      listOrEmpty(detail.audit, {
        headings: ['When', 'Who', 'What', 'Details'],
        caption: 'Audit of this order',
        row: (a) => ({
          attrs: { 'data-audit': a.action },
          cells: [
            stamp(a.at),
            a.operatorId,
            a.action,
            a.details.note || a.details.reason || a.details.decision || '',
          ],
        }),
        empty: 'Nothing yet.',
      }),
    ),
  );
  container.replaceChildren(...parts);
}
