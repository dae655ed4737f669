// The migration match rate per stage: its route mode, a gauge of the share of shadow decisions
// that matched against the bar a stage must clear, and the fields that differ most.

import { byId, el, percent, svg } from './dom.js';

export function renderMigration(result) {
  const container = byId('migration');
  const bar = result.bar || { minMatchRate: 0, minSample: 0 };
  const barPercent = bar.minMatchRate * 100; // rates are fractions (0..1)
  const list = el('ul', { class: 'migration' });
  for (const stage of result.stages || []) {
    const item = el('li', { 'data-stage': stage.stage });
    item.append(
      el('span', { class: 'stage' }, stage.stage),
      el(
        'span',
        { class: `mode ${stage.mode}` },
        stage.mode === 'new' ? `new ${stage.newPercent}%` : stage.mode,
      ),
    );
    if (stage.matchRate === null || stage.matchRate === undefined) {
      item.append(el('span', { class: 'empty' }, 'no sample yet'));
    } else {
      const rate = stage.matchRate * 100;
      const gauge = svg('svg', { class: 'gauge', viewBox: '0 0 200 14', role: 'img' });
      gauge.append(
        svg(
          'title',
          {},
          `${percent(rate)} matched of ${stage.sampleSize}; the bar is ${percent(barPercent)} of at least ${bar.minSample}`,
        ),
      );
      gauge.append(svg('rect', { class: 'track', x: 0, y: 2, width: 200, height: 10, rx: 3 }));
      gauge.append(
        svg('rect', {
          class: stage.clearsBar ? 'bar ok' : 'bar bad',
          x: 0,
          y: 2,
          width: (rate * 2).toFixed(1),
          height: 10,
          rx: 3,
        }),
      );
      gauge.append(
        svg('line', { class: 'marker', x1: barPercent * 2, x2: barPercent * 2, y1: 0, y2: 14 }),
      );
      item.append(
        gauge,
        el(
          'span',
          { class: 'meta' },
          `${percent(rate)} of ${stage.sampleSize}${stage.clearsBar ? ' ✓ clears the bar' : ''}`,
        ),
      );
    }
    const top = (stage.topDifferences || []).slice(0, 3).map((d) => `${d.field} ×${d.count}`);
    if (top.length) item.append(el('span', { class: 'meta diff' }, `differs: ${top.join(', ')}`));
    list.append(item);
  }
  container.replaceChildren(
    el(
      'p',
      { class: 'meta' },
      `Bar: ${percent(barPercent)} matched over at least ${bar.minSample} orders`,
    ),
    list,
  );
}
