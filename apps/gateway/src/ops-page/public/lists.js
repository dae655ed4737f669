// What makes a list scale on this page: a page size the operator can grow ("Show more", up to
// the API's 500) for APIs that take only a limit, and a cursor stack (Newer/Older) for APIs that
// hand out a cursor for the next page.

import { el } from './dom.js';

const MAX_LIMIT = 500;

export const listState = ({ limit }) => ({ limit, pageSize: limit, cursors: [undefined] });

/** "Show more": shown only when the list filled its page, so there may be more behind it. */
export function moreButton(state, shown, refresh, key) {
  if (shown < state.limit || state.limit >= MAX_LIMIT) return el('span');
  const button = el(
    'button',
    { type: 'button', 'data-focus-key': key },
    `Show ${state.pageSize} more`,
  );
  button.addEventListener('click', () => {
    state.limit = Math.min(MAX_LIMIT, state.limit + state.pageSize);
    refresh();
  });
  return button;
}

/** The cursor of the page on screen. */
export const cursorOf = (state) => state.cursors[state.cursors.length - 1];

/** Newer/Older buttons over a cursor stack; `next` is the API's cursor for the following page. */
export function pager(state, next, refresh, key) {
  const nav = el('nav', { class: 'pager', 'aria-label': `${key} pages` });
  const newer = el('button', { type: 'button', 'data-focus-key': `${key}-newer` }, 'Previous page');
  newer.disabled = state.cursors.length <= 1;
  newer.addEventListener('click', () => {
    state.cursors.pop();
    refresh();
  });
  const older = el('button', { type: 'button', 'data-focus-key': `${key}-older` }, 'Next page');
  older.disabled = !next;
  older.addEventListener('click', () => {
    state.cursors.push(next);
    refresh();
  });
  nav.append(newer, el('span', { class: 'meta' }, ` page ${state.cursors.length} `), older);
  return nav;
}

/** Back to the first page, e.g. when a filter changes. */
export const firstPage = (state) => {
  state.cursors = [undefined];
  state.limit = state.pageSize;
};
