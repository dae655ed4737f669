// The degraded modes: each one on or off and why, the latest switches, and each worker's
// circuit breakers (per process, so one worker's may be open while another's is closed).

import { byId, el, stamp } from './dom.js';

export function renderDegradedModes(result) {
  const container = byId('degraded-modes');
  const list = el('ul', { class: 'modes' });
  for (const mode of result.modes || []) {
    const item = el('li', { 'data-mode': mode.name, 'data-active': String(mode.active) });
    const state = !mode.config.enabled ? 'disabled' : mode.active ? 'ON' : 'off';
    item.append(
      el('span', { class: 'stage' }, mode.name),
      el('span', { class: `tag ${mode.active ? 'bad' : ''}` }, state),
    );
    if (mode.measured) {
      item.append(
        el(
          'span',
          { class: 'detail' },
          `${mode.measured.overdue} of ${mode.measured.waiting} fraud decisions past ${mode.config.fraudTargetMs / 1000} s`,
        ),
      );
    }
    if (mode.reason)
      item.append(
        el('span', { class: 'detail' }, `since ${stamp(mode.changedAt)}: ${mode.reason}`),
      );
    list.append(item);
  }
  const changes = el('ol', { class: 'changes' });
  for (const change of (result.changes || []).slice(0, 5)) {
    changes.append(
      el(
        'li',
        {},
        `${stamp(change.at)} ${change.action.replace('degraded-mode.', '')} by ${change.by}`,
      ),
    );
  }
  const circuits = el('ul', { class: 'modes', 'data-testid': 'worker-circuits' });
  for (const circuit of result.circuits || []) {
    const item = el('li', {
      'data-circuit': circuit.circuit,
      'data-worker': circuit.workerId,
      'data-state': circuit.state,
    });
    item.append(
      el('span', { class: 'stage' }, `${circuit.circuit} circuit, worker ${circuit.workerId}`),
      el('span', { class: `tag ${circuit.state === 'closed' ? '' : 'bad'}` }, circuit.state),
      el('span', { class: 'detail' }, `since ${stamp(circuit.changedAt)}: ${circuit.why}`),
    );
    circuits.append(item);
  }
  container.replaceChildren(list, changes, circuits);
}
