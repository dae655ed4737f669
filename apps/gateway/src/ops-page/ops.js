// The operator page: plain DOM and SVG, no framework, no build step. Everything from the API is
// put on the page with textContent or setAttribute, never as HTML.
/* global document, sessionStorage, fetch, setTimeout, clearTimeout */
'use strict';

(() => {
  const TOKEN_KEY = 'order-platform.ops.token';
  const REFRESH_MS = 5000;
  const SVG_NS = 'http://www.w3.org/2000/svg';
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
  const $ = (id) => document.getElementById(id);
  let timer;

  class AuthProblem extends Error {}

  async function api(path) {
    const token = sessionStorage.getItem(TOKEN_KEY) || '';
    const response = await fetch(path, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      cache: 'no-store',
    });
    if (response.status === 401 || response.status === 403) {
      const problem = await response.json().catch(() => ({}));
      throw new AuthProblem(problem.detail || problem.title || `HTTP ${response.status}`);
    }
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  // ---- DOM helpers -------------------------------------------------------------------------

  function el(tag, attrs = {}, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  const safeUrl = (url) => (/^https?:\/\//i.test(String(url || '')) ? String(url) : undefined);

  function link(url, text, attrs = {}) {
    const a = el('a', { target: '_blank', rel: 'noopener', ...attrs }, text);
    const href = safeUrl(url);
    if (href) a.setAttribute('href', href);
    return a;
  }

  function ageText(seconds) {
    const s = Math.max(0, Math.round(Number(seconds) || 0));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
    if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
    return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
  }

  const clock = (iso) => new Date(iso).toLocaleTimeString([], { hour12: false });
  const stamp = (iso) => new Date(iso).toLocaleString([], { hour12: false });
  const percent = (value) => `${Math.round(value * 10) / 10}%`;

  /** A round upper bound for an axis: 1, 2, 5 × 10^n. */
  function niceMax(value) {
    if (value <= 0) return 4;
    const power = 10 ** Math.floor(Math.log10(value));
    const step = [1, 2, 5, 10].find((m) => m * power >= value);
    return Math.max(4, step * power);
  }

  function message(container, text) {
    container.replaceChildren(el('p', { class: 'empty' }, text));
  }

  // ---- (a) backlog per stage over time -----------------------------------------------------

  function renderBacklogChart(history) {
    const container = $('backlog-chart');
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

  // ---- (b) share past the deadline per stage -----------------------------------------------

  function renderOverdueChart(backlog) {
    const container = $('overdue-chart');
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
        svg(
          'text',
          { class: 'label', x: labelW - 8, y: y + 15, 'text-anchor': 'end' },
          stage.stage,
        ),
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

  // ---- (c) the oldest stuck orders ---------------------------------------------------------

  function renderStuckOrders(result, overdue) {
    const list = $('stuck-orders');
    $('stuck-title').textContent = overdue
      ? 'Oldest stuck orders (past deadline)'
      : 'Nothing past its deadline · oldest open orders';
    const all = $('temporal-all');
    const href = safeUrl(result.temporalUi);
    all.hidden = !href;
    if (href) all.setAttribute('href', href);
    const orders = result.orders || [];
    if (orders.length === 0)
      return list.replaceChildren(el('li', { class: 'empty' }, 'No open orders.'));
    list.replaceChildren(
      ...orders.map((order) => {
        const item = el('li');
        item.append(
          link(order.links && order.links.temporalUi, order.orderId, {
            'data-order': order.orderId,
          }),
        );
        const age = (Date.now() - Date.parse(order.stageEnteredAt)) / 1000;
        const detail =
          order.overdueSeconds > 0
            ? `late by ${ageText(order.overdueSeconds)}`
            : `in stage ${ageText(age)}`;
        item.append(el('span', { class: 'meta' }, ` ${order.stage} · ${detail}`));
        if (order.needsAttention)
          item.append(el('span', { class: 'tag bad' }, order.needsAttention));
        if (order.expedited) item.append(el('span', { class: 'tag' }, 'expedited'));
        return item;
      }),
    );
  }

  // ---- (c2) degraded modes: on or off, why, and the latest switches -----------------------

  function renderDegradedModes(result) {
    const container = $('degraded-modes');
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
    container.replaceChildren(list, changes);
  }

  // ---- (d) the reconciliation exception queue ----------------------------------------------

  function renderFindings(result) {
    const container = $('findings');
    const findings = result.findings || [];
    if (findings.length === 0) return message(container, 'No open exceptions.');
    const table = el('table');
    const head = el('tr');
    for (const title of ['Kind', 'Order', 'Detail', 'Found']) head.append(el('th', {}, title));
    table.append(head);
    for (const finding of findings) {
      const row = el('tr', { 'data-finding': finding.id });
      row.append(el('td', {}, finding.kind), el('td', { class: 'mono' }, finding.orderId || '—'));
      row.append(
        el('td', {}, finding.detail || finding.subject || ''),
        el('td', {}, stamp(finding.foundAt)),
      );
      table.append(row);
    }
    container.replaceChildren(table);
  }

  // ---- (e) migration match rate per stage --------------------------------------------------

  function renderMigration(result) {
    const container = $('migration');
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

  // ---- refresh loop and login --------------------------------------------------------------

  async function stuckOrders() {
    const overdue = await api('/v1/ops/orders?overdue=true&limit=10');
    if ((overdue.orders || []).length > 0) return [overdue, true];
    return [await api('/v1/ops/orders?limit=10'), false];
  }

  const sections = [
    [() => api('/v1/ops/backlog/history'), renderBacklogChart, 'backlog-chart'],
    [() => api('/v1/ops/backlog'), renderOverdueChart, 'overdue-chart'],
    [() => api('/v1/ops/degraded-modes'), renderDegradedModes, 'degraded-modes'],
    [stuckOrders, ([result, overdue]) => renderStuckOrders(result, overdue), 'stuck-orders'],
    [() => api('/v1/ops/reconciliation/findings?status=open'), renderFindings, 'findings'],
    [() => api('/v1/ops/migration'), renderMigration, 'migration'],
  ];

  async function refresh() {
    clearTimeout(timer);
    const results = await Promise.allSettled(sections.map(([load]) => load()));
    const denied = results.find((r) => r.status === 'rejected' && r.reason instanceof AuthProblem);
    if (denied) return showLogin(denied.reason.message);
    let failures = 0;
    results.forEach((result, i) => {
      const [, render, id] = sections[i];
      if (result.status === 'fulfilled') return render(result.value);
      failures++;
      message($(id), `Could not load: ${result.reason.message}`);
    });
    $('status').textContent =
      `${failures ? `${failures} section(s) failed · ` : ''}updated ${clock(Date.now())}`;
    timer = setTimeout(refresh, REFRESH_MS);
  }

  function showLogin(problem) {
    clearTimeout(timer);
    sessionStorage.removeItem(TOKEN_KEY);
    $('dashboard').hidden = true;
    $('logout').hidden = true;
    $('status').textContent = '';
    $('login-error').textContent = problem || '';
    $('login').hidden = false;
    $('token').focus();
  }

  function showDashboard() {
    $('login').hidden = true;
    $('dashboard').hidden = false;
    $('logout').hidden = false;
    refresh().catch((error) => ($('status').textContent = `refresh failed: ${error.message}`));
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('login').addEventListener('submit', (event) => {
      event.preventDefault();
      const token = $('token')
        .value.trim()
        .replace(/^Bearer\s+/i, '');
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      $('token').value = '';
      $('login-error').textContent = '';
      showDashboard();
    });
    $('logout').addEventListener('click', () => showLogin(''));
    if (sessionStorage.getItem(TOKEN_KEY)) showDashboard();
    else showLogin('');
  });
})();
