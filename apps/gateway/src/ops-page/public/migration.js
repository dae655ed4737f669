// The migration match rate per stage: its route mode, a gauge of the share of shadow decisions
// that matched against the bar a stage must clear, and the fields that differ most; and the one
// action here, changing a stage's route (or intake's share). The confirmation shows, before
// anything is sent, what the promotion guard will weigh (this stage's numbers against the bar);
// the guard on the server decides, and its refusal comes back with its numbers.

import { actionButton } from './actions.js';
import { byId, el, percent, svg } from './dom.js';

// The share of orders the new side decides (legacy and shadow: none).
const newShare = ({ mode, newPercent }) => (mode === 'new' ? Number(newPercent) : 0);

/** What the guard will weigh for this change, in words; the server has the last word. */
export function guardPreview(stage, bar, from, to, intakeBelowBar) {
  if (stage.stage === 'intake' && to.mode === 'shadow') {
    return 'The guard will refuse this: intake has no shadow mode (use legacy or new with a share).';
  }
  const more = to.mode === 'new' && (from.mode === 'legacy' || newShare(to) > newShare(from));
  if (!more) return 'Guard: this gives the new side no more orders, so it is not refused.';
  const override = to.overrideReason && to.overrideReason.trim();
  if (stage.stage === 'intake') {
    if (intakeBelowBar.length === 0) return 'Guard: every stage clears the bar; this may go ahead.';
    return `Guard: ${intakeBelowBar.join(', ')} ${intakeBelowBar.length === 1 ? 'does' : 'do'} not clear the bar, so this is refused ${override ? 'unless the override is accepted' : 'without an override reason'}.`;
  }
  if (from.mode === 'legacy') {
    return `Guard: legacy straight to new skips the shadow comparison; refused ${override ? 'unless the override is accepted' : 'without an override reason'}.`;
  }
  const evidence =
    stage.matchRate === null || stage.matchRate === undefined
      ? 'no comparisons yet'
      : `${percent(stage.matchRate * 100)} matched over the latest ${stage.sampleSize}`;
  const barText = `the bar is ${percent(bar.minMatchRate * 100)} over at least ${bar.minSample}`;
  if (stage.clearsBar) return `Guard: ${evidence}; ${barText}: this clears it and may go ahead.`;
  return `Guard: ${evidence}; ${barText}: below it, so this is refused ${override ? 'unless the override is accepted' : 'without an override reason'}.`;
}

function routeAction(stage, bar, intakeBelowBar, onDone) {
  const modes =
    stage.stage === 'intake'
      ? [
          ['legacy', 'legacy: every customer to the monolith'],
          ['new', 'new: a share of customers to the platform'],
        ]
      : [
          ['legacy', 'legacy: the monolith decides'],
          ['shadow', 'shadow: both decide, the platform is only compared'],
          ['new', 'new: the platform decides a share of orders'],
        ];
  const from = { mode: stage.mode, newPercent: stage.newPercent };
  return {
    title: `Change the route of ${stage.stage}`,
    effect: `Now ${stage.mode}${stage.mode === 'new' ? ` ${stage.newPercent}%` : ''}. New orders follow the new route at once; orders already running keep theirs.`,
    fields: [
      { name: 'mode', label: 'Route', type: 'select', options: modes, value: stage.mode },
      {
        name: 'newPercent',
        label: 'Share for the platform (%), with route new',
        type: 'number',
        min: 0,
        max: 100,
        step: 1,
        value: stage.newPercent ?? 100,
      },
      {
        name: 'reason',
        label: 'Reason (required, kept in the audit)',
        type: 'textarea',
        required: true,
      },
      {
        name: 'overrideReason',
        label: 'Override reason (only to go ahead although the guard refuses)',
        type: 'textarea',
      },
    ],
    preview: (values) =>
      guardPreview(
        stage,
        bar,
        from,
        { ...values, newPercent: Number(values.newPercent) },
        intakeBelowBar,
      ),
    confirmLabel: 'Change the route',
    request: ({ mode, newPercent, reason, overrideReason }) => [
      'PUT',
      `/v1/ops/routing/${encodeURIComponent(stage.stage)}`,
      {
        mode,
        newPercent: Number(newPercent),
        reason,
        ...(overrideReason.trim() ? { overrideReason } : {}),
      },
    ],
    describe: (body) =>
      `${body.stage} is now ${body.mode}${body.mode === 'new' ? ` ${body.newPercent}%` : ''} (audit ${body.auditId}).`,
    onDone,
  };
}

function gauge(stage, bar) {
  const barPercent = bar.minMatchRate * 100; // rates are fractions (0..1)
  const rate = stage.matchRate * 100;
  const label = `${percent(rate)} matched of ${stage.sampleSize}; the bar is ${percent(barPercent)} of at least ${bar.minSample}`;
  const node = svg('svg', {
    class: 'gauge',
    viewBox: '0 0 200 14',
    role: 'img',
    'aria-label': label,
  });
  node.append(svg('title', {}, label));
  node.append(svg('rect', { class: 'track', x: 0, y: 2, width: 200, height: 10, rx: 3 }));
  node.append(
    svg('rect', {
      class: stage.clearsBar ? 'bar ok' : 'bar bad',
      x: 0,
      y: 2,
      width: (rate * 2).toFixed(1),
      height: 10,
      rx: 3,
    }),
  );
  node.append(
    svg('line', { class: 'marker', x1: barPercent * 2, x2: barPercent * 2, y1: 0, y2: 14 }),
  );
  return node;
}

export function renderMigration([result, routing], refresh) {
  const container = byId('migration');
  const bar = result.bar || { minMatchRate: 0, minSample: 0 };
  const stages = result.stages || [];
  const intakeBelowBar = stages.filter((s) => !s.clearsBar).map((s) => s.stage);
  const intake = (routing.routes || []).find((route) => route.stage === 'intake');
  const list = el('ul', { class: 'migration' });
  for (const stage of [...stages, ...(intake ? [intake] : [])]) {
    const item = el('li', { 'data-stage': stage.stage });
    item.append(
      el('span', { class: 'stage' }, stage.stage),
      el(
        'span',
        { class: `mode ${stage.mode}` },
        stage.mode === 'new' ? `new ${stage.newPercent}%` : stage.mode,
      ),
    );
    if (stage.stage === 'intake') {
      item.append(el('span', { class: 'meta' }, 'the share of customers sent to the platform'));
    } else if (stage.matchRate === null || stage.matchRate === undefined) {
      item.append(el('span', { class: 'empty' }, 'no sample yet'));
    } else {
      item.append(
        gauge(stage, bar),
        el(
          'span',
          { class: 'meta' },
          `${percent(stage.matchRate * 100)} of ${stage.sampleSize}${stage.clearsBar ? ' ✓ clears the bar' : ''}`,
        ),
      );
    }
    const top = (stage.topDifferences || []).slice(0, 3).map((d) => `${d.field} ×${d.count}`);
    if (top.length) item.append(el('span', { class: 'meta diff' }, `differs: ${top.join(', ')}`));
    item.append(
      actionButton('Change route…', () => routeAction(stage, bar, intakeBelowBar, refresh), {
        'data-focus-key': `route-${stage.stage}`,
        'aria-label': `Change the route of ${stage.stage}`,
      }),
    );
    list.append(item);
  }
  container.replaceChildren(
    el(
      'p',
      { class: 'meta' },
      `Bar: ${percent(bar.minMatchRate * 100)} matched over at least ${bar.minSample} orders`,
    ),
    list,
  );
}
