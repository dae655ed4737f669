// Dead letters, newest first, filtered by source topic, text in the reason and status, a page
// at a time (the API's `before` cursor). The operator replays the ones chosen, or every parked
// one matching the filter, with a reason: each goes back to its source topic through the
// inboxes (a second replay has no effect) and the answer says what was replayed and what not.

import { actionButton } from './actions.js';
import { api } from './api.js';
import { byId, el, message, stamp, table } from './dom.js';
import { cursorOf, firstPage, listState, pager } from './lists.js';

const state = listState({ limit: 20 });
state.filters = { topic: '', reason: '', status: 'parked' };
const chosen = new Set();

export function loadDeadLetters() {
  const query = new URLSearchParams({ limit: String(state.limit) });
  for (const [name, value] of Object.entries(state.filters)) if (value) query.set(name, value);
  const before = cursorOf(state);
  if (before) query.set('before', before);
  return api(`/v1/ops/dead-letters?${query}`);
}

const describeReplay = (body) =>
  `Replayed ${body.replayed.length}${body.replayed.length ? ` (${body.replayed.join(', ')})` : ''}; not found ${body.notFound.length}; not replayable ${body.notReplayable.length}${body.notReplayable.length ? ` (${body.notReplayable.join(', ')})` : ''}.`;

const reasonField = {
  name: 'reason',
  label: 'Why it is safe to replay now (required, kept in the audit)',
  type: 'textarea',
  required: true,
};

function replayChosenAction(ids, onDone) {
  return {
    title: `Replay ${ids.length} dead letter${ids.length === 1 ? '' : 's'}`,
    effect: `Sends ${ids.join(', ')} back to ${ids.length === 1 ? 'its' : 'their'} source topic: the consumer that gave up tries again. A message the inbox already handled is ignored.`,
    fields: [reasonField],
    confirmLabel: 'Replay',
    request: ({ reason }) => ['POST', '/v1/ops/dead-letters/replay', { ids, reason }],
    describe: describeReplay,
    onDone,
  };
}

function replayMatchingAction(onDone) {
  const { topic, reason } = state.filters;
  const scope = [topic && `from ${topic}`, reason && `whose reason contains "${reason}"`]
    .filter(Boolean)
    .join(' ');
  return {
    title: 'Replay every parked dead letter matching the filter',
    effect: `Sends every parked dead letter ${scope || '(all topics, any reason)'} back to its source topic, up to 500.`,
    fields: [reasonField],
    confirmLabel: 'Replay all matching',
    request: ({ reason: why }) => [
      'POST',
      '/v1/ops/dead-letters/replay',
      {
        all: { ...(topic ? { topic } : {}), ...(reason ? { reasonContains: reason } : {}) },
        reason: why,
      },
    ],
    describe: describeReplay,
    onDone,
  };
}

/** The filter form and the replay buttons, wired once. */
export function setUpDeadLetters(refresh) {
  const form = byId('dead-letter-filters');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.filters = {
      topic: form.elements.topic.value.trim(),
      reason: form.elements.reason.value.trim(),
      status: form.elements.status.value,
    };
    chosen.clear();
    firstPage(state);
    refresh();
  });
  byId('dead-letter-actions').append(
    actionButton(
      'Replay chosen…',
      () => replayChosenAction([...chosen], () => (chosen.clear(), refresh())),
      { id: 'replay-chosen', 'data-focus-key': 'replay-chosen' },
    ),
    actionButton('Replay all matching…', () => replayMatchingAction(refresh), {
      id: 'replay-matching',
      'data-focus-key': 'replay-matching',
    }),
  );
  updateChosen();
}

function updateChosen() {
  const button = byId('replay-chosen');
  button.disabled = chosen.size === 0;
  button.textContent = `Replay chosen (${chosen.size})…`;
}

export function renderDeadLetters(result, refresh) {
  const container = byId('dead-letters');
  const letters = result.deadLetters || [];
  const nav = pager(state, result.nextBefore, refresh, 'Dead letter');
  if (letters.length === 0) {
    message(container, 'No dead letters match.');
    return container.append(nav);
  }
  const rows = letters.map((letter) => {
    const box = el('input', {
      type: 'checkbox',
      'data-focus-key': `dl-${letter.id}`,
      'aria-label': `Choose dead letter ${letter.id}`,
    });
    box.checked = chosen.has(letter.id);
    box.disabled = !letter.sourceTopic;
    box.addEventListener('change', () => {
      if (box.checked) chosen.add(letter.id);
      else chosen.delete(letter.id);
      updateChosen();
    });
    const last = letter.replays[letter.replays.length - 1];
    return {
      attrs: { 'data-dead-letter': letter.id },
      cells: [
        box,
        letter.id,
        letter.sourceTopic || `${letter.dlqTopic} (not replayable)`,
        letter.reason,
        stamp(letter.failedAt),
        `${letter.status}${last ? ` · ${last.event} by ${last.by || '?'}` : ''}`,
      ],
    };
  });
  container.replaceChildren(
    table(['Choose', 'Id', 'Topic', 'Why it failed', 'Failed', 'Status'], rows, 'Dead letters'),
    nav,
  );
  updateChosen();
}
