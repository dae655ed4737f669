// The reconciliation exception queue: the open findings, one row each.

import { byId, el, message, stamp } from './dom.js';

export function renderFindings(result) {
  const container = byId('findings');
  const findings = result.findings || [];
  if (findings.length === 0) return message(container, 'No open exceptions.');
  const table = el('table');
  const head = el('tr');
  for (const title of ['Kind', 'Order', 'Detail', 'Found']) head.append(el('th', {}, title));
  table.append(head);
  for (const finding of findings) {
    const row = el('tr', { 'data-finding': finding.id });
    row.append(el('td', {}, finding.kind), el('td', { class: 'mono' }, finding.orderId || '—'));
    row.append(
      el('td', {}, finding.detail || finding.subject || ''),
      el('td', {}, stamp(finding.foundAt)),
    );
    table.append(row);
  }
  container.replaceChildren(table);
}
