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
