/**
 * The operator page at /ops, end to end in headless Chromium (Debian's, driven by
 * playwright-core): served by the gateway under its own CSP, signed in with an operator token,
 * it draws the backlog over time, the share past deadline, the stuck orders with their Temporal
 * links, the exception queue and the migration match rates from the real /v1/ops API, with no
 * console error and no CSP violation; a bad or wrong-role token brings the sign-in back with the
 * problem's detail. A full-page screenshot is kept in test-artifacts/ops-page.png.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { MIGRATION_STAGES } from '@order-platform/domain';
import {
  AppsUnderTest,
  calmDownstream,
  eventuallyAgree,
  simulatorCall,
} from '@order-platform/tools';
import { keepScreenshot, launchChromium, openOpsPage, signIn } from './testing/ops-browser';
import { tokenFor } from './testing/test-tokens';

describe('the operator page in headless Chromium', () => {
  const apps = new AppsUnderTest('ops-page');
  const sku = `SKU-OPS-${randomUUID().slice(0, 8)}`;
  let gateway: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const simulators = await apps.downstream();
    gateway = await apps.start('gateway', 'gateway', { BACKLOG_SAMPLE_MS: '500' });
    await calmDownstream(simulators);
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 100 });
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 1500,
      currency: 'EUR',
    });
    for (let i = 0; i < 2; i++) {
      const customer = await tokenFor('customer', `c-ops-${randomUUID().slice(0, 8)}`);
      const response = await fetch(`${gateway}/v1/orders`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${customer}`,
          'idempotency-key': randomUUID(),
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          items: [{ sku, quantity: 1 }],
          currency: 'EUR',
          shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: '12345', country: 'DE' },
        }),
      });
      expect(response.status).toBe(202);
    }
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await apps.stopAll();
  }, 60_000);

  const openPage = (): Promise<{ page: Page; problems: string[] }> =>
    openOpsPage(browser!, gateway);

  async function operatorApi<T>(path: string): Promise<T> {
    const response = await fetch(`${gateway}${path}`, {
      headers: { authorization: `Bearer ${await tokenFor('operator', 'ops-page-check')}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  it('serves the page, its script and its styles from its own origin under the CSP', async () => {
    for (const [path, type] of [
      ['/ops', 'text/html'],
      ['/ops/ops.js', 'application/javascript'],
      ['/ops/ops.css', 'text/css'],
    ] as const) {
      const response = await fetch(`${gateway}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(response.headers.get('content-type')).toContain(type);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
  });

  it('shows backlog, share past deadline, stuck orders, exceptions and migration after sign-in', async () => {
    const { page, problems } = await openPage();
    await signIn(page, await tokenFor('operator', 'ops-1'));
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    await page.locator('#status', { hasText: 'updated' }).waitFor();
    expect(await page.textContent('#status')).not.toContain('failed');

    const backlog = await operatorApi<{ stages: { stage: string }[] }>('/v1/ops/backlog');
    const openStages = backlog.stages.map(({ stage }) => stage).sort();
    expect(openStages.length).toBeGreaterThan(0);
    const lines = await page.$$eval('#backlog-chart svg path[data-stage]', (paths) =>
      paths.map((path) => [path.getAttribute('data-stage'), path.getAttribute('d')] as const),
    );
    expect(lines.map(([stage]) => stage).sort()).toEqual(openStages);
    for (const [, d] of lines) expect(d).toMatch(/^M[\d.]+,[\d.]+/);
    expect(await page.locator('#backlog-chart .legend li').count()).toBe(openStages.length);

    const bars = await page.$$eval('#overdue-chart svg rect.bar', (rects) =>
      rects.map((rect) => rect.getAttribute('data-stage')),
    );
    expect(bars.sort()).toEqual(openStages);
    expect(await page.locator('#overdue-chart svg title').count()).toBe(openStages.length);

    const stuck = page.locator('#stuck-orders a[data-order]');
    expect(await stuck.count()).toBeGreaterThan(0);
    const orderId = await stuck.first().getAttribute('data-order');
    expect(await stuck.first().getAttribute('href')).toBe(`#/orders/${orderId}`);
    const temporal = page.locator('#stuck-orders a.temporal').first();
    expect(await temporal.getAttribute('href')).toMatch(/^https?:\/\//);
    expect(await temporal.getAttribute('rel')).toBe('noopener');
    expect(await temporal.getAttribute('target')).toBe('_blank');
    expect(await page.getAttribute('#temporal-all', 'href')).toMatch(/^https?:\/\//);

    // The page and the API are read apart, and the shared stack moves on in between (a finding
    // opened, a worker's report expiring, the monitor switching a mode).
    // The page lists the first 20 open findings, or says there are none.
    await eventuallyAgree(
      'the open findings on the page as the API lists them',
      async () => {
        const rows = await page.locator('#findings tr[data-finding]').count();
        if (rows > 0) return rows;
        return ((await page.textContent('#findings')) ?? '').includes('No open findings')
          ? 0
          : 'not drawn';
      },
      async () =>
        (
          await operatorApi<{ findings: unknown[] }>(
            '/v1/ops/reconciliation/findings?status=open&limit=20',
          )
        ).findings.length,
    );

    // The modes, and each worker's fraud circuit (the suite's worker reports one).
    const { circuits: reported } = await operatorApi<{ circuits: unknown[] }>(
      '/v1/ops/degraded-modes',
    );
    expect(reported.length).toBeGreaterThanOrEqual(1);
    await eventuallyAgree(
      "the degraded modes and each worker's fraud circuit on the page as the API tells them",
      () =>
        page.$$eval('#degraded-modes li[data-mode], #degraded-modes li[data-circuit]', (items) =>
          items.map((item) =>
            item.hasAttribute('data-mode')
              ? [item.getAttribute('data-mode'), item.getAttribute('data-active')]
              : [item.getAttribute('data-worker'), item.getAttribute('data-state')],
          ),
        ),
      async () => {
        const told = await operatorApi<{
          modes: { name: string; active: boolean }[];
          circuits: { workerId: string; state: string }[];
        }>('/v1/ops/degraded-modes');
        return [
          ...told.modes.map((mode) => [mode.name, String(mode.active)]),
          ...told.circuits.map((c) => [c.workerId, c.state]),
        ];
      },
    );

    const migration = await page.$$eval('#migration li[data-stage]', (items) =>
      items.map((item) => item.getAttribute('data-stage')),
    );
    expect(migration).toEqual([...MIGRATION_STAGES, 'intake']);

    await keepScreenshot(page, 'ops-page');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it.each([
    ['an invalid token', async () => 'not-a-valid-token', /./],
    ['a customer token', () => tokenFor('customer', 'c-ops-page'), /operator/],
  ])(
    'shows the sign-in again with the problem for %s',
    async (_what, token, detail) => {
      const { page } = await openPage();
      await signIn(page, await token());
      await page.locator('#login-error:not(:empty)').waitFor();
      expect(await page.isVisible('#login')).toBe(true);
      expect(await page.isVisible('#dashboard')).toBe(false);
      expect(await page.textContent('#login-error')).toMatch(detail);
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
      await page.close();
    },
    60_000,
  );
});
