// Open returns, the earliest due first: each waits for its parcel or, back, for its refund.
// One still open after its parcel was due is flagged: the platform should have lapsed or
// refunded it by then, so a worker is behind or a refund is stuck.

import { byId, el, message, orderLink, stamp } from './dom.js';

export function renderOpenReturns(result) {
  const container = byId('open-returns');
  const returns = result.returns || [];
  if (returns.length === 0) return message(container, 'No open returns.');
  const table = el('table');
  const head = el('tr');
  for (const title of ['Order', 'Return', 'State', 'Parcel due']) head.append(el('th', {}, title));
  table.append(head);
  for (const open of returns) {
    const row = el('tr', { 'data-return': open.returnId });
    const due = el('td', {}, stamp(open.parcelDueBy));
    if (open.overdue) due.append(el('span', { class: 'tag bad' }, 'overdue'));
    if (open.needsAttention) due.append(el('span', { class: 'tag bad' }, open.needsAttention));
    row.append(
      el('td', {}, orderLink(open.orderId)),
      el('td', { class: 'mono' }, open.returnId),
      el('td', {}, open.state === 'authorized' ? 'awaiting parcel' : 'back, refund pending'),
      due,
    );
    table.append(row);
  }
  container.replaceChildren(table);
}
