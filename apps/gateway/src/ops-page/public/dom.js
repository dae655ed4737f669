// The page's DOM and formatting helpers. Everything from the API is put on the page with
// textContent or setAttribute, never as HTML, and a link only ever gets an http(s) address.

const SVG_NS = 'http://www.w3.org/2000/svg';

export const byId = (id) => document.getElementById(id);

export function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

export function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

export const safeUrl = (url) => (/^https?:\/\//i.test(String(url || '')) ? String(url) : undefined);

export function link(url, text, attrs = {}) {
  const a = el('a', { target: '_blank', rel: 'noopener', ...attrs }, text);
  const href = safeUrl(url);
  if (href) a.setAttribute('href', href);
  return a;
}

/** Replaces a section's content with a one-line note (empty, or why it could not load). */
export function message(container, text) {
  container.replaceChildren(el('p', { class: 'empty' }, text));
}

export function ageText(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

export const clock = (iso) => new Date(iso).toLocaleTimeString([], { hour12: false });
export const stamp = (iso) => new Date(iso).toLocaleString([], { hour12: false });
export const percent = (value) => `${Math.round(value * 10) / 10}%`;

/** A link to an order's page within this page (the id is checked, so the hash stays plain). */
export function orderLink(orderId, attrs = {}) {
  const id = String(orderId || '');
  const a = el('a', { 'data-order': id, ...attrs }, id || '—');
  if (/^[A-Za-z0-9_-]{1,100}$/.test(id)) a.setAttribute('href', `#/orders/${id}`);
  return a;
}

/** A table with a header row; `rows` are arrays of cells (text or nodes) with row attributes. */
export function table(headings, rows, caption) {
  const node = el('table');
  if (caption) node.append(el('caption', { class: 'visually-hidden' }, caption));
  const head = el('tr');
  for (const title of headings) head.append(el('th', { scope: 'col' }, title));
  const thead = el('thead');
  thead.append(head);
  node.append(thead);
  const body = el('tbody');
  for (const { attrs, cells } of rows) {
    const row = el('tr', attrs || {});
    for (const cell of cells) {
      const td = el('td');
      if (cell instanceof Node) td.append(cell);
      else if (Array.isArray(cell)) td.append(...cell);
      else td.textContent = cell === undefined || cell === null ? '' : String(cell);
      row.append(td);
    }
    body.append(row);
  }
  node.append(body);
  return node;
}
