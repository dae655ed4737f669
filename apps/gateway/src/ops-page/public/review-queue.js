// The manual review queue: orders waiting for an operator's decision, oldest first, each with
// Approve and Reject (a note is required and audited; the order refuses a decision it no longer
// waits for, and the page shows that refusal).

import { actionButton } from './actions.js';
import { api } from './api.js';
import { ageText, byId, message, orderLink, table } from './dom.js';
import { listState, moreButton } from './lists.js';

const state = listState({ limit: 20 });

export const loadReviewQueue = () =>
  api(`/v1/ops/orders?stage=ManualReviewRequired&limit=${state.limit}`);

/** The Approve or Reject confirmation for one order. */
export function reviewAction(orderId, decision, onDone) {
  const approve = decision === 'approve';
  return {
    title: `${approve ? 'Approve' : 'Reject'} order ${orderId}`,
    effect: approve
      ? 'The order continues: stock stays reserved and the payment is taken as usual.'
      : 'The order is rejected: its reservation and payment authorization are released and the customer is told.',
    fields: [
      {
        name: 'note',
        label: 'Note (required, kept in the audit)',
        type: 'textarea',
        required: true,
      },
    ],
    confirmLabel: approve ? 'Approve the order' : 'Reject the order',
    request: ({ note }) => [
      'POST',
      `/v1/ops/orders/${encodeURIComponent(orderId)}/review`,
      { decision, note },
    ],
    describe: (body) => `${approve ? 'Approved' : 'Rejected'} (audit ${body.auditId}).`,
    onDone,
  };
}

export function renderReviewQueue(result, refresh) {
  const container = byId('review-queue');
  const orders = result.orders || [];
  if (orders.length === 0) return message(container, 'No orders wait for a review.');
  const rows = orders.map((order) => ({
    attrs: { 'data-review': order.orderId },
    cells: [
      orderLink(order.orderId),
      order.customerId,
      ageText((Date.now() - Date.parse(order.stageEnteredAt)) / 1000),
      [
        actionButton('Approve', () => reviewAction(order.orderId, 'approve', refresh), {
          'data-focus-key': `approve-${order.orderId}`,
          'aria-label': `Approve order ${order.orderId}`,
        }),
        actionButton('Reject', () => reviewAction(order.orderId, 'reject', refresh), {
          'data-focus-key': `reject-${order.orderId}`,
          'aria-label': `Reject order ${order.orderId}`,
          class: 'danger',
        }),
      ],
    ],
  }));
  container.replaceChildren(
    table(['Order', 'Customer', 'Waiting', 'Decide'], rows, 'Orders waiting for a review'),
    moreButton(state, orders.length, refresh, 'review-more'),
  );
}
