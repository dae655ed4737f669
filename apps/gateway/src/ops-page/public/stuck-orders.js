// Open orders, longest in their stage first: by default the ones past their deadline when any
// are, else the oldest open ones; the operator can pick a stage or ask for the overdue ones
// only. Each order opens its page here, and links to its workflow in the Temporal UI.

import { api } from './api.js';
import { ageText, byId, el, link, orderLink, safeUrl } from './dom.js';
import { cursorOf, firstPage, listState, pager } from './lists.js';

const state = listState({ limit: 10 });
// overdue: 'auto' (overdue ones when any, else all), 'only' or 'all'; minAge in seconds;
// attention: the start of what the order needs attention for.
state.filters = { stage: '', overdue: 'auto', minAge: '', attention: '' };

function query(overdue) {
  const params = new URLSearchParams({ limit: String(state.limit) });
  if (state.filters.stage) params.set('stage', state.filters.stage);
  if (state.filters.minAge) params.set('minAgeSeconds', state.filters.minAge);
  if (state.filters.attention) params.set('attention', state.filters.attention);
  if (overdue) params.set('overdue', 'true');
  const cursor = cursorOf(state);
  if (cursor) params.set('cursor', cursor);
  return api(`/v1/ops/orders?${params}`);
}

/** The orders to show, and whether they are the overdue ones. */
export async function loadStuckOrders() {
  const { overdue } = state.filters;
  if (overdue === 'all') return [await query(false), false];
  const late = await query(true);
  if (overdue === 'only' || (late.orders || []).length > 0 || cursorOf(state)) return [late, true];
  return [await query(false), false];
}

export function setUpStuckOrders(refresh) {
  const form = byId('stuck-filters');
  form.addEventListener('change', () => {
    state.filters = {
      stage: form.elements.stage.value,
      overdue: form.elements.overdue.value,
      minAge: form.elements.minAge.value,
      attention: form.elements.attention.value,
    };
    firstPage(state);
    refresh();
  });
}

export function renderStuckOrders([result, overdue], refresh) {
  const list = byId('stuck-orders');
  byId('stuck-title').textContent = overdue
    ? 'Stuck orders (past their deadline)'
    : state.filters.overdue === 'all'
      ? 'Open orders, longest in their stage first'
      : 'Nothing past its deadline · oldest open orders';
  const all = byId('temporal-all');
  const href = safeUrl(result.temporalUi);
  all.hidden = !href;
  if (href) all.setAttribute('href', href);
  const orders = result.orders || [];
  byId('stuck-pager').replaceChildren(pager(state, result.nextCursor, refresh, 'Stuck order'));
  if (orders.length === 0)
    return list.replaceChildren(el('li', { class: 'empty' }, 'No open orders.'));
  list.replaceChildren(
    ...orders.map((order) => {
      const item = el('li', { 'data-stuck': order.orderId });
      item.append(orderLink(order.orderId, { 'data-focus-key': `stuck-${order.orderId}` }));
      const age = (Date.now() - Date.parse(order.stageEnteredAt)) / 1000;
      const detail =
        order.overdueSeconds > 0
          ? `late by ${ageText(order.overdueSeconds)}`
          : `in stage ${ageText(age)}`;
      item.append(el('span', { class: 'meta' }, ` ${order.stage} · ${detail} `));
      if (order.needsAttention) item.append(el('span', { class: 'tag bad' }, order.needsAttention));
      if (order.expedited) item.append(el('span', { class: 'tag' }, 'expedited'));
      item.append(
        link(order.links && order.links.temporalUi, 'Temporal', {
          class: 'temporal',
          'aria-label': `Order ${order.orderId} in the Temporal UI (opens a new tab)`,
        }),
      );
      return item;
    }),
  );
}
