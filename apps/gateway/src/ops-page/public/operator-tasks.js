// Operator tasks: what the platform could not settle by itself (a compensation refused for
// good, an approval made without a screening), oldest first, by kind and status. An open task
// is closed with an outcome that fits its kind and a note, audited.

import { actionButton } from './actions.js';
import { api } from './api.js';
import { byId, message, orderLink, stamp, table } from './dom.js';
import { firstPage, listState, moreButton } from './lists.js';

// Mirrors domain's OPERATOR_TASK_OUTCOMES, in words; the API refuses an outcome of another kind.
const OUTCOMES = {
  'post-hoc-review': [
    ['no-concern', 'no concern: the approval stands'],
    ['concern-raised', 'concern raised: follow up with the customer'],
  ],
  'compensation-failed': [
    ['settled-by-hand', 'settled by hand outside the platform'],
    ['nothing-to-settle', 'nothing to settle'],
  ],
};

const state = listState({ limit: 20 });
state.filters = { status: 'open', kind: '' };

export function loadTasks() {
  const query = new URLSearchParams({ status: state.filters.status, limit: String(state.limit) });
  if (state.filters.kind) query.set('kind', state.filters.kind);
  return api(`/v1/ops/tasks?${query}`);
}

export function closeTaskAction(task, onDone) {
  return {
    title: `Close the ${task.kind} task of order ${task.orderId}`,
    effect: `Records your conclusion on "${task.reason}" and takes the task off the open list. Nothing is sent to the customer or a downstream system.`,
    fields: [
      {
        name: 'outcome',
        label: 'Outcome',
        type: 'select',
        options: OUTCOMES[task.kind] || [],
      },
      {
        name: 'note',
        label: 'Note (required, kept in the audit)',
        type: 'textarea',
        required: true,
      },
    ],
    confirmLabel: 'Close the task',
    request: ({ outcome, note }) => [
      'POST',
      `/v1/ops/tasks/${[task.orderId, task.kind, task.subject].map(encodeURIComponent).join('/')}/close`,
      { outcome, note },
    ],
    describe: (body) => `Closed as ${body.outcome} by ${body.closedBy}.`,
    onDone,
  };
}

export function setUpTasks(refresh) {
  const form = byId('task-filters');
  form.addEventListener('change', () => {
    state.filters = { status: form.elements.status.value, kind: form.elements.kind.value };
    firstPage(state);
    refresh();
  });
}

export function renderTasks(result, refresh) {
  const container = byId('operator-tasks');
  const tasks = result.tasks || [];
  if (tasks.length === 0) return message(container, `No ${state.filters.status} tasks.`);
  const rows = tasks.map((task) => ({
    attrs: { 'data-task': `${task.orderId}/${task.kind}/${task.subject}` },
    cells: [
      orderLink(task.orderId),
      task.kind,
      task.reason,
      stamp(task.openedAt),
      task.status === 'open'
        ? actionButton('Close…', () => closeTaskAction(task, refresh), {
            'data-focus-key': `task-${task.orderId}-${task.kind}-${task.subject}`,
            'aria-label': `Close the ${task.kind} task of order ${task.orderId}`,
          })
        : `${task.outcome} by ${task.closedBy}: ${task.note || ''}`,
    ],
  }));
  container.replaceChildren(
    table(['Order', 'Kind', 'Why', 'Opened', 'Act'], rows, 'Operator tasks'),
    moreButton(state, tasks.length, refresh, 'tasks-more'),
  );
}
