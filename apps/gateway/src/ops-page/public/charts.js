// The two charts, drawn as inline SVG: the backlog per stage over time (one line per stage, the
// latest count in the legend) and the share of each stage's orders past their deadline.

import { byId, clock, el, message, percent, svg } from './dom.js';

const COLORS = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#4b5563',
];

/** A round upper bound for an axis: 1, 2, 5 × 10^n. */
function niceMax(value) {
  if (value <= 0) return 4;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value);
  return Math.max(4, step * power);
}

export function renderBacklogChart(history) {
  const container = byId('backlog-chart');
  const samples = history.samples || [];
  if (samples.length === 0) return message(container, 'No samples yet.');
  const stages = [];
  for (const sample of samples)
    for (const { stage } of sample.stages) if (!stages.includes(stage)) stages.push(stage);
  const W = 1000,
    H = 260,
    left = 44,
    right = 12,
    top = 12,
    bottom = 28;
  const times = samples.map((sample) => Date.parse(sample.at));
  const t0 = times[0],
    t1 = Math.max(times[times.length - 1], t0 + 1);
  let peak = 0;
  for (const sample of samples) for (const s of sample.stages) peak = Math.max(peak, s.count);
  const yMax = niceMax(peak);
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (W - left - right);
  const y = (v) => H - bottom - (v / yMax) * (H - top - bottom);
  const chart = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': 'Orders per stage over time',
  });
  for (let i = 0; i <= 4; i++) {
    const value = (yMax / 4) * i;
    chart.append(
      svg('line', { class: 'grid', x1: left, x2: W - right, y1: y(value), y2: y(value) }),
    );
    chart.append(
      svg(
        'text',
        { class: 'tick', x: left - 6, y: y(value) + 4, 'text-anchor': 'end' },
        Math.round(value),
      ),
    );
  }
  for (let i = 0; i <= 3; i++) {
    const t = t0 + ((t1 - t0) / 3) * i;
    const anchor = i === 0 ? 'start' : i === 3 ? 'end' : 'middle';
    chart.append(
      svg('text', { class: 'tick', x: x(t), y: H - 8, 'text-anchor': anchor }, clock(t)),
    );
  }
  chart.append(svg('line', { class: 'axis', x1: left, x2: left, y1: top, y2: H - bottom }));
  chart.append(
    svg('line', { class: 'axis', x1: left, x2: W - right, y1: H - bottom, y2: H - bottom }),
  );
  const legend = el('ul', { class: 'legend' });
  stages.forEach((stage, index) => {
    const color = COLORS[index % COLORS.length];
    const points = [];
    samples.forEach((sample, i) => {
      const entry = sample.stages.find((s) => s.stage === stage);
      if (entry)
        points.push(
          `${points.length ? 'L' : 'M'}${x(times[i]).toFixed(1)},${y(entry.count).toFixed(1)}`,
        );
    });
    const last = samples[samples.length - 1].stages.find((s) => s.stage === stage);
    const path = svg('path', {
      d: points.join(' '),
      stroke: color,
      'data-stage': stage,
      class: 'series',
    });
    path.append(svg('title', {}, `${stage}: ${last ? last.count : 0} now`));
    chart.append(path);
    const item = el('li', { 'data-stage': stage });
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = color;
    item.append(swatch, `${stage} (${last ? last.count : 0})`);
    legend.append(item);
  });
  container.replaceChildren(chart, legend);
}

export function renderOverdueChart(backlog) {
  const container = byId('overdue-chart');
  const stages = backlog.stages || [];
  if (stages.length === 0) return message(container, 'No open stages.');
  const W = 520,
    row = 24,
    labelW = 190,
    valueW = 100;
  const H = stages.length * row + 8;
  const barW = W - labelW - valueW;
  const chart = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': 'Share of orders past the deadline per stage',
  });
  stages.forEach((stage, i) => {
    const y = 4 + i * row;
    const share = Math.min(100, Math.max(0, Number(stage.overduePercent) || 0));
    const group = svg('g', { 'data-stage': stage.stage });
    group.append(
      svg('title', {}, stage.summary || `${percent(share)} of ${stage.stage} past the deadline`),
    );
    group.append(
      svg('text', { class: 'label', x: labelW - 8, y: y + 15, 'text-anchor': 'end' }, stage.stage),
    );
    group.append(
      svg('rect', { class: 'track', x: labelW, y: y + 3, width: barW, height: row - 8, rx: 3 }),
    );
    group.append(
      svg('rect', {
        class: share >= 10 ? 'bar bad' : share > 0 ? 'bar warn' : 'bar',
        'data-stage': stage.stage,
        x: labelW,
        y: y + 3,
        width: ((share / 100) * barW).toFixed(1),
        height: row - 8,
        rx: 3,
      }),
    );
    group.append(
      svg(
        'text',
        { class: 'value', x: labelW + barW + 6, y: y + 15 },
        `${percent(share)} (${stage.overdueCount}/${stage.count})`,
      ),
    );
    chart.append(group);
  });
  container.replaceChildren(chart);
}
