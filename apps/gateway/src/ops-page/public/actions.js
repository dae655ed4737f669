// Every action on the page goes through one confirmation dialog: it names the effect, asks for
// the reason where the API wants one, shows what the change would meet (the promotion guard's
// verdict, for instance) before it is sent, and then the API's answer, a refusal's detail word
// for word. Each answer is also kept in the page's activity list for this tab.

import { problemText, send } from './api.js';
import { byId, el, clock } from './dom.js';

let current;

/** Text of a refusal: its status, title and detail, and the fields a 400 names. */
export function refusalText(status, problem) {
  const title = problem && problem.title ? `${problem.title}: ` : '';
  const fields = ((problem && problem.errors) || [])
    .map((error) => `${error.field} ${error.message}`)
    .join('; ');
  const detail = problemText(problem, status);
  return `Refused (${status}) ${title === `${detail}: ` ? '' : title}${detail}${fields ? ` (${fields})` : ''}`;
}

function field(spec) {
  const id = `confirm-field-${spec.name}`;
  const wrapper = el('div', { class: 'field' });
  wrapper.append(el('label', { for: id }, spec.label));
  let input;
  if (spec.type === 'select') {
    input = el('select', { id, name: spec.name });
    for (const [value, text] of spec.options) {
      const option = el('option', { value }, text);
      if (String(spec.value) === String(value)) option.setAttribute('selected', '');
      input.append(option);
    }
  } else if (spec.type === 'textarea') {
    input = el('textarea', { id, name: spec.name, rows: spec.rows || 3 });
    input.value = spec.value ?? '';
  } else {
    input = el('input', { id, name: spec.name, type: spec.type || 'text' });
    for (const attribute of ['min', 'max', 'step']) {
      if (spec[attribute] !== undefined) input.setAttribute(attribute, spec[attribute]);
    }
    if (spec.value !== undefined) input.value = String(spec.value);
  }
  for (const attribute of ['minlength', 'maxlength']) {
    if (spec[attribute] !== undefined) input.setAttribute(attribute, spec[attribute]);
  }
  if (spec.required) input.setAttribute('required', '');
  if (spec.help) {
    const helpId = `${id}-help`;
    input.setAttribute('aria-describedby', helpId);
    wrapper.append(input, el('p', { class: 'help', id: helpId }, spec.help));
  } else {
    wrapper.append(input);
  }
  return wrapper;
}

function values() {
  const data = {};
  for (const input of byId('confirm-fields').querySelectorAll('[name]')) {
    data[input.name] = input.value;
  }
  return data;
}

function showPreview() {
  const preview = byId('confirm-preview');
  const text = current && current.preview ? current.preview(values()) : '';
  preview.textContent = text || '';
  preview.hidden = !text;
}

function record(title, ok, text) {
  const list = byId('activity');
  const item = el('li', { class: ok ? 'ok' : 'bad' }, `${clock(Date.now())} ${title}: ${text}`);
  list.prepend(item);
  while (list.children.length > 20) list.lastChild.remove();
  byId('activity-section').hidden = false;
}

/**
 * Opens the confirmation for one action.
 * - title: the button's words ("Approve order …"); effect: what confirming does, in plain words
 * - fields: inputs ({ name, label, type, options, value, required, help })
 * - preview(values): what the change would meet, shown as the operator types
 * - request(values): [method, path, body] to send
 * - describe(body): the accepted answer in words
 * - onDone(): called after an accepted answer, to reload what it changed
 */
export function confirmAction(action) {
  current = action;
  const dialog = byId('confirm');
  byId('confirm-title').textContent = action.title;
  byId('confirm-effect').textContent = action.effect;
  byId('confirm-fields').replaceChildren(...(action.fields || []).map(field));
  byId('confirm-outcome').replaceChildren();
  byId('confirm-outcome').className = '';
  byId('confirm-go').textContent = action.confirmLabel || 'Confirm';
  byId('confirm-go').hidden = false;
  byId('confirm-go').disabled = false;
  byId('confirm-close').textContent = 'Cancel';
  showPreview();
  dialog.showModal();
  const first = byId('confirm-fields').querySelector('[name]');
  (first || byId('confirm-go')).focus();
}

async function submit(event) {
  event.preventDefault();
  const action = current;
  if (!action) return;
  const form = byId('confirm-form');
  if (!form.reportValidity()) return;
  const go = byId('confirm-go');
  go.disabled = true;
  const outcome = byId('confirm-outcome');
  outcome.className = '';
  outcome.textContent = 'Sending…';
  let ok = false;
  let text;
  try {
    const [method, path, body] = action.request(values());
    const answer = await send(method, path, body);
    ok = answer.ok;
    text = ok
      ? action.describe
        ? action.describe(answer.body, answer.status)
        : `Done (${answer.status})`
      : refusalText(answer.status, answer.body);
  } catch (error) {
    text = `Not sent: ${error.message}`;
  }
  record(action.title, ok, text);
  // Closed while sending, and perhaps another action opened since: the answer goes to the
  // activity list only, never into a dialog about something else.
  if (current !== action) {
    if (ok && action.onDone) action.onDone();
    return;
  }
  outcome.className = ok ? 'ok' : 'error';
  outcome.textContent = text;
  if (ok) {
    go.hidden = true;
    byId('confirm-close').textContent = 'Close';
    byId('confirm-close').focus();
    if (action.onDone) action.onDone();
  } else {
    go.disabled = false;
  }
}

/** Wires the dialog once the page is parsed. */
export function setUpActions() {
  byId('confirm-form').addEventListener('submit', submit);
  byId('confirm-form').addEventListener('input', showPreview);
  byId('confirm-close').addEventListener('click', () => byId('confirm').close());
  byId('confirm').addEventListener('close', () => {
    // The close event is a task of its own: it can run after the dialog was opened again (a
    // quick keyboard user), and must not forget the action that dialog is about.
    if (!byId('confirm').open) current = undefined;
  });
}

/** A button that opens a confirmation; `make` builds the action when it is pressed. */
export function actionButton(text, make, attrs = {}) {
  const button = el('button', { type: 'button', ...attrs }, text);
  button.addEventListener('click', () => confirmAction(make()));
  return button;
}
