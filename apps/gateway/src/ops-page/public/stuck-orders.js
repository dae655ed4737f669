// The oldest stuck orders: past their deadline when any are, else the oldest open ones, each
// linked to its workflow in the Temporal UI.

import { api } from './api.js';
import { ageText, byId, el, link, safeUrl } from './dom.js';

/** The orders to show, and whether they are the overdue ones. */
export async function loadStuckOrders() {
  const overdue = await api('/v1/ops/orders?overdue=true&limit=10');
  if ((overdue.orders || []).length > 0) return [overdue, true];
  return [await api('/v1/ops/orders?limit=10'), false];
}

export function renderStuckOrders(result, overdue) {
  const list = byId('stuck-orders');
  byId('stuck-title').textContent = overdue
    ? 'Oldest stuck orders (past deadline)'
    : 'Nothing past its deadline · oldest open orders';
  const all = byId('temporal-all');
  const href = safeUrl(result.temporalUi);
  all.hidden = !href;
  if (href) all.setAttribute('href', href);
  const orders = result.orders || [];
  if (orders.length === 0)
    return list.replaceChildren(el('li', { class: 'empty' }, 'No open orders.'));
  list.replaceChildren(
    ...orders.map((order) => {
      const item = el('li');
      item.append(
        link(order.links && order.links.temporalUi, order.orderId, {
          'data-order': order.orderId,
        }),
      );
      const age = (Date.now() - Date.parse(order.stageEnteredAt)) / 1000;
      const detail =
        order.overdueSeconds > 0
          ? `late by ${ageText(order.overdueSeconds)}`
          : `in stage ${ageText(age)}`;
      item.append(el('span', { class: 'meta' }, ` ${order.stage} · ${detail}`));
      if (order.needsAttention) item.append(el('span', { class: 'tag bad' }, order.needsAttention));
      if (order.expedited) item.append(el('span', { class: 'tag' }, 'expedited'));
      return item;
    }),
  );
}
