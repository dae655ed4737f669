// The degraded modes: each one on or off and why, the latest switches, each worker's circuit
// breakers (per process, so one worker's may be open while another's is closed), and two
// actions: allow or disallow the mode (the monitor switches an allowed mode on and off by its
// thresholds) and tune its thresholds and policy. Both take effect at the monitor's next
// measurement, audited with the reason.

import { actionButton } from './actions.js';
import { byId, el, stamp } from './dom.js';

const reasonField = {
  name: 'reason',
  label: 'Reason (required, kept in the audit)',
  type: 'textarea',
  required: true,
  minlength: 3,
  maxlength: 500,
};

const configure = (mode, config, reason) => [
  'PUT',
  `/v1/ops/degraded-modes/${encodeURIComponent(mode.name)}`,
  { config, reason },
];

const describeMode = (body) =>
  `${body.name} is now ${body.config.enabled ? 'allowed' : 'not allowed'}; it is ${body.active ? 'ON' : 'off'} until the next measurement.`;

function switchAction(mode, onDone) {
  const allow = !mode.config.enabled;
  return {
    title: `${allow ? 'Allow' : 'Stop'} degraded mode ${mode.name}`,
    effect: allow
      ? 'The backlog monitor may switch this mode on when its thresholds are reached: orders are then decided by its policy instead of waiting for fraud screening.'
      : 'The mode is switched off at the next measurement and stays off: every order waits for fraud screening again, however long the backlog.',
    fields: [reasonField],
    confirmLabel: allow ? 'Allow the mode' : 'Stop the mode',
    request: ({ reason }) => configure(mode, { ...mode.config, enabled: allow }, reason),
    describe: describeMode,
    onDone,
  };
}

function tuneAction(mode, onDone) {
  return {
    title: `Tune degraded mode ${mode.name}`,
    effect:
      'Replaces the thresholds and policy below; the monitor and every order deciding from now on use them. No deploy.',
    fields: [
      {
        name: 'config',
        label: 'Configuration (JSON)',
        type: 'textarea',
        rows: 14,
        required: true,
        value: JSON.stringify(mode.config, null, 2),
        help: 'Times in milliseconds; shares between 0 and 1. A value the API does not accept is refused with the field named.',
      },
      reasonField,
    ],
    preview: ({ config }) => {
      try {
        JSON.parse(config);
        return '';
      } catch (error) {
        return `Not valid JSON yet: ${error.message}`;
      }
    },
    confirmLabel: 'Save the configuration',
    request: ({ config, reason }) => configure(mode, JSON.parse(config), reason),
    describe: describeMode,
    onDone,
  };
}

export function renderDegradedModes(result, refresh) {
  const container = byId('degraded-modes');
  const list = el('ul', { class: 'modes' });
  for (const mode of result.modes || []) {
    const item = el('li', { 'data-mode': mode.name, 'data-active': String(mode.active) });
    const state = !mode.config.enabled ? 'not allowed' : mode.active ? 'ON' : 'off';
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
    const buttons = el('span', { class: 'detail' });
    buttons.append(
      actionButton(mode.config.enabled ? 'Stop' : 'Allow', () => switchAction(mode, refresh), {
        'data-focus-key': `mode-switch-${mode.name}`,
        'aria-label': `${mode.config.enabled ? 'Stop' : 'Allow'} degraded mode ${mode.name}`,
      }),
      actionButton('Tune…', () => tuneAction(mode, refresh), {
        'data-focus-key': `mode-tune-${mode.name}`,
        'aria-label': `Tune degraded mode ${mode.name}`,
      }),
    );
    item.append(buttons);
    list.append(item);
  }
  const changes = el('ol', { class: 'changes', 'aria-label': 'Latest changes' });
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
