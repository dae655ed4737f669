/**
 * The operator console end to end in headless Chromium against the real platform: an operator
 * works from the /ops page alone. Each action goes through its confirmation (which names the
 * effect and asks for the reason the API wants) and shows the API's answer: a manual review
 * approved from the queue and one rejected from the order page, found by searching its id; an
 * order cancelled for its customer, and the notifications its customer was sent listed on its
 * page; a reconciliation finding resolved and an order re-checked;
 * a stage route changed, and a promotion the guard refuses shown with the guard's numbers; a
 * degraded mode stopped; a dead letter replayed; an operator task closed. Every effect is then
 * checked through the API (and the audit). Lists page and filter; axe-core finds no serious or
 * critical violation; the keyboard alone can work an action. Screenshots: test-artifacts/.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { Pool } from 'pg';
import { MIGRATION_STAGES, TOPICS } from '@order-platform/domain';
import { indexDeadLetter, openOperatorTask } from '@order-platform/stores';
import {
  AppsUnderTest,
  calmDownstream,
  eventually,
  eventuallyAgree,
  gatewayCall,
  simulatorCall,
  suiteEnv,
} from '@order-platform/tools';
import {
  keepScreenshot,
  launchChromium,
  openOpsPage,
  seriousAccessibilityViolations,
  signIn,
} from './testing/ops-browser';
import { placeOrder } from './testing/placed-orders';
import { tokenFor } from './testing/test-tokens';

describe('the operator console in headless Chromium', () => {
  const apps = new AppsUnderTest('ops-console');
  const run = randomUUID().slice(0, 8);
  const sku = `SKU-CON-${run}`;
  let gateway: string;
  let simulators: string;
  let db: Pool;
  let browser: Browser | undefined;
  let operator: string;
  const reviewOrders: string[] = [];
  let cancellableOrder: string;
  let findingId: string;
  let deadLetterId: string;
  let leftOutLetterId: string;
  let modeBefore: { name: string; config: Record<string, unknown> } | undefined;

  const api = (method: string, path: string, body?: unknown) =>
    gatewayCall(gateway, method, path, { token: operator, body });

  const place = () => placeOrder(gateway, sku, 'c-con');

  const stageOf = async (orderId: string): Promise<string | undefined> => {
    const reply = await api('GET', `/v1/ops/orders/${orderId}`);
    return reply.status === 200 ? (reply.body.order.stage as string) : undefined;
  };

  beforeAll(async () => {
    simulators = await apps.downstream();
    gateway = await apps.start('gateway', 'gateway', { BACKLOG_SAMPLE_MS: '500' });
    await calmDownstream(simulators);
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 100 });
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 1500,
      currency: 'EUR',
    });
    operator = await tokenFor('operator', 'ops-console');
    db = new Pool({ connectionString: suiteEnv('DATABASE_URL'), max: 2 });

    // Three orders for a manual review (one is approved, one rejected, one left waiting).
    await simulatorCall(simulators, 'PUT', '/fraud/settings', { decision: 'review' });
    try {
      for (let i = 0; i < 3; i++) reviewOrders.push((await place()).orderId);
      for (const orderId of reviewOrders) {
        await eventually(
          `order ${orderId} in manual review`,
          async () => ((await stageOf(orderId)) === 'ManualReviewRequired' ? true : undefined),
          { timeoutMs: 90_000 },
        );
      }
    } finally {
      await calmDownstream(simulators);
    }
    // One the customer could still cancel: fully held, waiting for fulfilment.
    cancellableOrder = (await place()).orderId;
    await eventually(
      'the order to be held',
      async () => {
        const reply = await api('GET', `/v1/ops/orders/${cancellableOrder}`);
        return reply.status === 200 && reply.body.order.commitments.payment ? true : undefined;
      },
      { timeoutMs: 90_000 },
    );

    // A finding in the exception queue, a dead letter and an operator task, as the platform
    // writes them.
    const finding = await db.query<{ id: string }>(
      `INSERT INTO reconciliation_finding (order_id, kind, subject, detail, status, run_id)
       VALUES ($1, 'orphan-authorization', $2, $3, 'open', $4) RETURNING id::text`,
      [cancellableOrder, `auth-${run}`, `an authorization nobody records (${run})`, `run-${run}`],
    );
    findingId = finding.rows[0]!.id;
    const park = (n: number, reason: string) =>
      indexDeadLetter(db, {
        dedupeKey: `${run}-${n}`,
        dlqTopic: `${TOPICS.orderMismatches}.dlq`,
        dlqPartition: 0,
        dlqOffset: String(n),
        sourceTopic: TOPICS.orderMismatches,
        sourcePartition: 0,
        sourceOffset: String(n),
        consumer: 'some-consumer',
        class: 'bad',
        reason,
        eventId: `e-${run}-${n}`,
        key: Buffer.from(`key-${run}`),
        value: Buffer.from(JSON.stringify({ run })),
        headers: {},
        failedAt: new Date(),
      });
    await park(1, `bad: refused ${run}`);
    // A parked letter the filter leaves out, so the unfiltered list is never the filtered one.
    const other = randomUUID().slice(0, 8);
    await park(2, `bad: refused, and left out by the filter (${other})`);
    const letterOf = async (reason: string): Promise<string> =>
      (await api('GET', `/v1/ops/dead-letters?reason=${reason}`)).body.deadLetters[0].id;
    deadLetterId = await letterOf(run);
    leftOutLetterId = await letterOf(other);
    await openOperatorTask(db, {
      orderId: reviewOrders[2]!,
      kind: 'compensation-failed',
      subject: 'void-payment',
      customerId: 'c-task',
      reason: `the payment gateway refused to void (${run})`,
      occurredAt: new Date().toISOString(),
    });

    browser = await launchChromium();
  }, 360_000);

  afterAll(async () => {
    await browser?.close();
    // The stack is shared with the other suites of the run: put back the route and the degraded
    // mode this suite changed.
    if (db) {
      await db.query(`UPDATE stage_route SET mode = 'legacy', new_percent = 100`);
      if (modeBefore) {
        await api('PUT', `/v1/ops/degraded-modes/${modeBefore.name}`, {
          config: modeBefore.config,
          reason: 'ops-console suite: back as it was',
        });
      }
    }
    await db?.end();
    await apps.stopAll();
  }, 60_000);

  async function signedIn(path = '/ops'): Promise<{ page: Page; problems: string[] }> {
    const opened = await openOpsPage(browser!, gateway, path);
    await signIn(opened.page, operator);
    await opened.page.locator('#status', { hasText: 'updated' }).waitFor();
    return opened;
  }

  /** Fills the open confirmation's fields, confirms, and answers with the outcome shown. */
  async function confirm(page: Page, fields: Record<string, string>): Promise<string> {
    const dialog = page.locator('#confirm');
    await dialog.waitFor({ state: 'visible' });
    for (const [name, value] of Object.entries(fields)) {
      const input = dialog.locator(`[name="${name}"]`);
      if ((await input.evaluate((node) => node.tagName)) === 'SELECT') {
        await input.selectOption(value);
      } else {
        await input.fill(value);
      }
    }
    await page.click('#confirm-go');
    const outcome = page.locator('#confirm-outcome', { hasText: /^(?!Sending…$)./ });
    await outcome.waitFor();
    return (await page.textContent('#confirm-outcome')) ?? '';
  }

  /**
   * The row as an operator finds it in a list that shows the oldest first: "Show more" until it
   * is there (other suites on the same stack may have left older rows).
   */
  async function reveal(page: Page, row: string, more: string): Promise<void> {
    for (let i = 0; i < 25; i++) {
      if ((await page.locator(row).count()) > 0) return;
      const button = page.locator(`[data-focus-key="${more}"]`);
      // The list may redraw under the click (its refresh): a missed click is tried again.
      if ((await button.count()) > 0) await button.click({ timeout: 2_000 }).catch(() => undefined);
      await page.waitForTimeout(300);
    }
    await page.locator(row).waitFor();
  }

  async function closeDialog(page: Page): Promise<void> {
    await page.click('#confirm-close');
    await page.locator('#confirm').waitFor({ state: 'hidden' });
  }

  it('approves a manual review from the queue after a confirmation that names the effect', async () => {
    const { page, problems } = await signedIn();
    const orderId = reviewOrders[0]!;
    await reveal(page, `#review-queue [data-review="${orderId}"]`, 'review-more');
    await page.click(`#review-queue [data-review="${orderId}"] button:text("Approve")`);
    expect(await page.textContent('#confirm-title')).toBe(`Approve order ${orderId}`);
    expect(await page.textContent('#confirm-effect')).toMatch(/continues/);
    // The note is required: confirming without it sends nothing.
    await page.click('#confirm-go');
    expect(await page.textContent('#confirm-outcome')).toBe('');
    expect(await page.locator('#confirm').isVisible()).toBe(true);
    const outcome = await confirm(page, { note: 'called the customer, all fine' });
    expect(outcome).toMatch(/^Approved \(audit \d+\)\.$/);
    await keepScreenshot(page, 'ops-console-review-approved');
    await closeDialog(page);
    await eventually('the order to move on', async () =>
      (await stageOf(orderId)) !== 'ManualReviewRequired' ? true : undefined,
    );
    await page.locator(`#review-queue [data-review="${orderId}"]`).waitFor({ state: 'detached' });
    expect(await page.textContent('#activity')).toContain(`Approve order ${orderId}`);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('finds an order by its id, shows its page and rejects its review there', async () => {
    const { page, problems } = await signedIn();
    const orderId = reviewOrders[1]!;
    await page.fill('#order-search-id', orderId);
    await page.press('#order-search-id', 'Enter');
    await page.locator('#order-title', { hasText: orderId }).waitFor();
    await page.locator('#order-content dl.summary').waitFor();
    const content = await page.textContent('#order-content');
    expect(content).toContain('ManualReviewRequired');
    expect(await page.locator('#order-content [data-step]').count()).toBeGreaterThan(1);
    expect(await page.getAttribute('#order-temporal', 'href')).toMatch(
      new RegExp(`^https?://.*/workflows/[^/]*${orderId}`),
    );
    await page.click('#order-reject');
    const outcome = await confirm(page, { note: 'the address is a parcel forwarder' });
    expect(outcome).toMatch(/^Rejected \(audit \d+\)\.$/);
    await closeDialog(page);
    await eventually('the order to be rejected', async () =>
      (await stageOf(orderId)) === 'Rejected' ? true : undefined,
    );
    await page.reload();
    await page.locator('#order-content [data-audit="manual-review"]').waitFor();
    await keepScreenshot(page, 'ops-console-order-page');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('cancels an order for its customer from the order page, audited', async () => {
    const { page, problems } = await signedIn(`/ops#/orders/${cancellableOrder}`);
    await page.locator('#order-content dl.summary').waitFor();
    expect(await page.textContent('#order-content')).toMatch(/Payment\s*authorized/);
    await page.click('#order-cancel');
    expect(await page.textContent('#confirm-effect')).toMatch(/as if customer .* had/);
    const outcome = await confirm(page, { reason: 'the customer called: ordered twice' });
    expect(outcome).toMatch(/cancel/i);
    expect(outcome).toMatch(/audit \d+/);
    await closeDialog(page);
    await eventually('the order to be cancelled', async () =>
      (await stageOf(cancellableOrder)) === 'Cancelled' ? true : undefined,
    );
    const detail = await api('GET', `/v1/ops/orders/${cancellableOrder}`);
    expect(detail.body.audit.map((a: { action: string }) => a.action)).toContain(
      'cancel-for-customer',
    );
    expect(detail.body.order.history.at(-1).reason).toBe('CancelledBy:operator:ops-console');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it("lists the notifications the customer was sent on the order's page, each once, as the notifier delivered them", async () => {
    type Sent = { kind: string; channel: string; notificationId: string; idempotencyKey: string };
    const told = await eventually(
      'the customer to be told of the cancellation',
      async () => {
        const reply = await api('GET', `/v1/ops/orders/${cancellableOrder}`);
        const sent = reply.body.notifications as Sent[];
        return sent.some((n) => n.kind === 'cancelled') ? sent : undefined;
      },
      { timeoutMs: 60_000 },
    );
    // The platform's record is the notifier's: the same notifications, ids and order.
    const delivered = await simulatorCall<{ notificationId: string; kind: string }[]>(
      simulators,
      'GET',
      `/notifications?orderId=${cancellableOrder}`,
    );
    expect(told.map((n) => [n.kind, n.notificationId])).toEqual(
      delivered.map((n) => [n.kind, n.notificationId]),
    );
    expect(told.map((n) => n.kind).at(-1)).toBe('cancelled');
    for (const n of told) {
      // What, how, when and under which ids: no message text, address or name.
      expect(Object.keys(n).sort()).toEqual(
        ['channel', 'idempotencyKey', 'kind', 'notificationId', 'returnId', 'sentAt'].sort(),
      );
      expect(n).toMatchObject({
        channel: 'email',
        idempotencyKey: `order-${cancellableOrder}/notify-${n.kind}`,
      });
    }

    const { page, problems } = await signedIn(`/ops#/orders/${cancellableOrder}`);
    const row = page.locator('#order-content [data-notification="cancelled"]');
    await row.waitFor();
    expect(await row.textContent()).toContain(told.at(-1)!.notificationId);
    expect(await page.locator('#order-content [data-notification]').count()).toBe(told.length);
    await keepScreenshot(page, 'ops-console-order-notifications');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('resolves a finding and starts a re-run for its order', async () => {
    const { page, problems } = await signedIn();
    await reveal(page, `#findings [data-finding="${findingId}"]`, 'findings-more');
    const row = page.locator(`#findings [data-finding="${findingId}"]`);
    await row.locator('button:text("Re-run")').click();
    expect(await confirm(page, {})).toMatch(/^Re-run reconciliation-.* started/);
    await closeDialog(page);
    await row.locator('button:text("Resolve")').click();
    expect(await confirm(page, { note: 'voided by hand at the payment gateway' })).toBe(
      'Resolved by ops-console.',
    );
    await closeDialog(page);
    await row.waitFor({ state: 'detached' });
    const resolved = await api('GET', '/v1/ops/reconciliation/findings?status=resolved');
    expect(resolved.body.findings.find((f: { id: string }) => f.id === findingId)).toMatchObject({
      status: 'resolved',
      note: 'voided by hand at the payment gateway',
    });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it("changes a stage's route, and shows the guard's refusal of a promotion with its numbers", async () => {
    const { page, problems } = await signedIn();
    const stage = MIGRATION_STAGES[0];
    // The guard's verdict rests on the stage's latest comparisons; start from none, whatever
    // earlier suites on this stack compared.
    await db.query('DELETE FROM stage_comparison WHERE stage = $1', [stage]);
    const item = page.locator(`#migration li[data-stage="${stage}"]`);
    await item.locator('button').click();
    const dialog = page.locator('#confirm');
    await dialog.locator('[name="mode"]').selectOption('shadow');
    expect(await page.textContent('#confirm-preview')).toMatch(/not refused/);
    expect(await confirm(page, { reason: 'start comparing' })).toMatch(
      new RegExp(`^${stage} is now shadow \\(audit \\d+\\)\\.$`),
    );
    await closeDialog(page);
    await page.locator(`#migration li[data-stage="${stage}"] .mode.shadow`).waitFor();

    await item.locator('button').click();
    await dialog.locator('[name="mode"]').selectOption('new');
    expect(await page.textContent('#confirm-preview')).toMatch(
      /no comparisons yet; the bar is .* refused without an override reason/,
    );
    const refused = await confirm(page, { reason: 'try it' });
    expect(refused).toMatch(/^Refused \(409\)/);
    expect(refused).toMatch(/no comparisons yet \(bar: [\d.]+ ?% over \d+\)/);
    await keepScreenshot(page, 'ops-console-promotion-refused');
    await closeDialog(page);
    const routing = await api('GET', '/v1/ops/routing');
    expect(routing.body.routes.find((r: { stage: string }) => r.stage === stage).mode).toBe(
      'shadow',
    );
    // The refusal is a problem the page was shown, not a page error.
    expect(
      problems.filter((p) => !p.includes('/v1/ops/routing/') && !p.includes('status of 409')),
    ).toEqual([]);
    await page.close();
  }, 120_000);

  it('stops a degraded mode with a reason', async () => {
    const { page, problems } = await signedIn();
    const before = await api('GET', '/v1/ops/degraded-modes');
    const mode = before.body.modes[0];
    modeBefore = { name: mode.name, config: mode.config };
    expect(mode.config.enabled).toBe(true);
    await page.click(`#degraded-modes li[data-mode="${mode.name}"] button:text("Stop")`);
    // The API wants at least 3 characters: the page asks before sending.
    await page.fill('#confirm [name="reason"]', 'no');
    await page.click('#confirm-go');
    expect(await page.textContent('#confirm-outcome')).toBe('');
    expect(await confirm(page, { reason: 'the fraud provider is back' })).toMatch(
      new RegExp(`^${mode.name} is now not allowed`),
    );
    await closeDialog(page);
    const after = await api('GET', '/v1/ops/degraded-modes');
    expect(after.body.modes[0].config.enabled).toBe(false);
    expect(after.body.changes[0]).toMatchObject({ by: 'ops-console' });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('filters dead letters and replays the one chosen', async () => {
    const { page, problems } = await signedIn();
    const leftOut = page.locator(`#dead-letters [data-dead-letter="${leftOutLetterId}"]`);
    const row = page.locator(`#dead-letters [data-dead-letter="${deadLetterId}"]`);
    await leftOut.waitFor();
    // The periodic refresh's unfiltered load is held until the filtered list is on screen and
    // then let through: its late answer must not draw the unfiltered list back over the filter.
    let releaseStale!: () => void;
    const staleMayGo = new Promise<void>((resolve) => (releaseStale = resolve));
    let staleHeld!: () => void;
    const staleInFlight = new Promise<void>((resolve) => (staleHeld = resolve));
    await page.route('**/v1/ops/dead-letters?*', async (route) => {
      if (new URL(route.request().url()).searchParams.has('reason')) return route.continue();
      staleHeld();
      await staleMayGo;
      await route.continue();
    });
    await staleInFlight;
    await page.fill('#dl-reason', run);
    await page.click('#dead-letter-filters button[type=submit]');
    await leftOut.waitFor({ state: 'detached' });
    await row.waitFor();
    const staleAnswer = page.waitForResponse(
      (r) => r.url().includes('/v1/ops/dead-letters?') && !r.url().includes('reason='),
    );
    releaseStale();
    await staleAnswer;
    // Give the overtaken refresh the time to draw, which it must not do.
    await page.waitForTimeout(500);
    await page.unroute('**/v1/ops/dead-letters?*');
    expect(await page.locator('#dead-letters [data-dead-letter]').count()).toBe(1);
    await row.waitFor();
    expect(await page.isDisabled('#replay-chosen')).toBe(true);
    await row.locator('input[type=checkbox]').check();
    await page.click('#replay-chosen');
    expect(await page.textContent('#confirm-effect')).toContain(deadLetterId);
    expect(await confirm(page, { reason: 'the consumer is fixed' })).toBe(
      `Replayed 1 (${deadLetterId}); not found 0; not replayable 0.`,
    );
    await closeDialog(page);
    const shown = await api('GET', `/v1/ops/dead-letters/${deadLetterId}`);
    expect(shown.body.status).toBe('replayed');
    expect(shown.body.replays[0]).toMatchObject({ by: 'ops-console' });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('closes an operator task with an outcome of its kind', async () => {
    const { page, problems } = await signedIn();
    const key = `${reviewOrders[2]}/compensation-failed/void-payment`;
    await page.selectOption('#task-kind', 'compensation-failed');
    await reveal(page, `#operator-tasks [data-task="${key}"]`, 'tasks-more');
    const row = page.locator(`#operator-tasks [data-task="${key}"]`);
    await row.locator('button').click();
    expect(
      await confirm(page, { outcome: 'settled-by-hand', note: 'voided in the PSP console' }),
    ).toBe('Closed as settled-by-hand by ops-console.');
    await closeDialog(page);
    await row.waitFor({ state: 'detached' });
    const closed = await api('GET', '/v1/ops/tasks?status=closed');
    expect(
      closed.body.tasks.find((t: { orderId: string }) => t.orderId === reviewOrders[2]),
    ).toMatchObject({ outcome: 'settled-by-hand', closedBy: 'ops-console' });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('pages through open orders with the API cursor and filters them by stage, reason and age', async () => {
    const first = await api('GET', '/v1/ops/orders?stage=ManualReviewRequired&limit=1');
    expect(first.status).toBe(200);
    const orderIds = (reply: { body: { orders: { orderId: string }[] } }) =>
      reply.body.orders.map((o) => o.orderId);
    const { page, problems } = await signedIn();
    await page.selectOption('#stuck-overdue', 'all');
    // "Open orders", not the auto mode's "oldest open orders" title.
    await page.locator('#stuck-title', { hasText: /^Open orders/ }).waitFor();
    // Other suites' orders on the shared stack move on between two reads.
    await eventuallyAgree(
      'the page lists the first ten open orders as the API does',
      () =>
        page.$$eval('#stuck-orders [data-stuck]', (items) =>
          items.map((item) => item.getAttribute('data-stuck')),
        ),
      async () => orderIds(await api('GET', '/v1/ops/orders?limit=10')),
    );
    await page.selectOption('#stuck-stage', 'ManualReviewRequired');
    await page.locator('#stuck-title', { hasText: /^Open orders/ }).waitFor();
    await page.locator(`#stuck-orders [data-stuck="${reviewOrders[2]}"]`).waitFor();
    // Every order listed is in that stage, once the list is drawn for it.
    await eventually('only orders in manual review', async () => {
      const stages = await page.$$eval('#stuck-orders [data-stuck] .meta', (metas) =>
        metas.map((meta) => meta.textContent?.trim().split(' ')[0]),
      );
      return stages.every((stage) => stage === 'ManualReviewRequired') ? true : undefined;
    });
    // By what the order needs attention for, and by time in its stage.
    await page.selectOption('#stuck-stage', '');
    await page.selectOption('#stuck-attention', 'ManualReview');
    await eventually('only orders that need a manual review', async () => {
      const tags = await page.$$eval('#stuck-orders [data-stuck]', (items) =>
        items.map((item) => item.querySelector('.tag.bad')?.textContent ?? ''),
      );
      return tags.length > 0 && tags.every((tag) => tag.startsWith('ManualReview'))
        ? true
        : undefined;
    });
    await page.selectOption('#stuck-attention', '');
    await page.selectOption('#stuck-age', '604800');
    await page.locator(`#stuck-orders [data-stuck="${reviewOrders[2]}"]`).waitFor({
      state: 'detached',
    });
    expect(problems).toEqual([]);
    await page.close();

    const attention = await api('GET', '/v1/ops/orders?attention=ManualReview&limit=500');
    expect(attention.body.orders.map((o: { orderId: string }) => o.orderId)).toContain(
      reviewOrders[2],
    );
    for (const order of attention.body.orders)
      expect(order.needsAttention).toMatch(/^ManualReview/);
    const old = await api('GET', '/v1/ops/orders?minAgeSeconds=86400&limit=500');
    expect(old.body.orders.map((o: { orderId: string }) => o.orderId)).not.toContain(
      reviewOrders[2],
    );
    expect((await api('GET', '/v1/ops/orders?attention=%25')).status).toBe(400);
    expect((await api('GET', '/v1/ops/orders?minAgeSeconds=-1')).status).toBe(400);

    // Page by page, every open order once, in order, as one call of 500 lists them (again, if
    // another suite's order moved on while paging).
    await eventuallyAgree(
      'paging with the cursor lists what one call lists',
      async () => orderIds(await api('GET', '/v1/ops/orders?limit=500')),
      async (all) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const query: string = cursor ? `&cursor=${cursor}` : '';
          const reply = await api('GET', `/v1/ops/orders?limit=2${query}`);
          expect(reply.status).toBe(200);
          seen.push(...orderIds(reply));
          cursor = reply.body.nextCursor;
        } while (cursor && seen.length < all.length);
        return seen.slice(0, all.length);
      },
    );
    const bad = await api('GET', '/v1/ops/orders?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('cursor');
  }, 120_000);

  it('answers an unknown order with a 404 problem, in the page and the API', async () => {
    const missing = await api('GET', `/v1/ops/orders/no-such-order-${run}`);
    expect(missing.status).toBe(404);
    const refused = await api('POST', `/v1/ops/orders/no-such-order-${run}/cancel`, {
      reason: 'x',
    });
    expect(refused.status).toBe(404);
    const empty = await api('POST', `/v1/ops/orders/${reviewOrders[2]}/cancel`, { reason: ' ' });
    expect(empty.status).toBe(400);
    const customer = await tokenFor('customer', 'c-nosy');
    const nosy = await gatewayCall(gateway, 'GET', `/v1/ops/orders/${reviewOrders[2]}`, {
      token: customer,
    });
    expect(nosy.status).toBe(403);
    const { page } = await signedIn(`/ops#/orders/no-such-order-${run}`);
    await page.locator('#order-content', { hasText: 'Could not load order' }).waitFor();
    await page.close();
  }, 60_000);

  it('has no serious accessibility violation, on the overview, an order page and a dialog', async () => {
    const { page } = await signedIn();
    await reveal(page, `#review-queue [data-review="${reviewOrders[2]}"]`, 'review-more');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.click(`#review-queue [data-review="${reviewOrders[2]}"] button:text("Reject")`);
    await page.locator('#confirm').waitFor({ state: 'visible' });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.goto(`${gateway}/ops#/orders/${reviewOrders[2]}`);
    await page.locator('#order-content dl.summary').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await keepScreenshot(page, 'ops-console-order-waiting');
    await page.close();
  }, 120_000);

  it('works with the keyboard alone: search, open, decide, confirm, close', async () => {
    const { page, problems } = await signedIn();
    const orderId = reviewOrders[2]!;
    await page.focus('#order-search-id');
    await page.keyboard.type(orderId);
    await page.keyboard.press('Enter');
    await page.locator('#order-content dl.summary').waitFor();
    // Tab through the page to the Approve button.
    let focused: string | null = '';
    for (let i = 0; i < 30 && focused !== 'order-approve'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.locator(':focus').getAttribute('id');
    }
    expect(focused).toBe('order-approve');
    await page.keyboard.press('Enter');
    await page.locator('#confirm').waitFor({ state: 'visible' });
    // The dialog opens on its first field; Escape leaves without sending.
    expect(await page.locator(':focus').getAttribute('name')).toBe('note');
    await page.keyboard.press('Escape');
    await page.locator('#confirm').waitFor({ state: 'hidden' });
    expect(await stageOf(orderId)).toBe('ManualReviewRequired');
    await page.keyboard.press('Enter');
    await page.locator('#confirm').waitFor({ state: 'visible' });
    await page.keyboard.type('checked by keyboard');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    // Whatever the answer, its words: a refusal fails here with its reason, no answer with what
    // the dialog showed.
    const answer = await eventually('an answer in the dialog', async () => {
      const shown = await page.textContent('#confirm-outcome');
      if (shown && shown !== 'Sending…') return shown;
      throw new Error(
        `dialog ${(await page.isVisible('#confirm')) ? 'open' : 'closed'}, outcome "${shown}"`,
      );
    });
    expect(answer).toMatch(/^Approved/);
    expect(await page.locator(':focus').getAttribute('id')).toBe('confirm-close');
    await page.keyboard.press('Enter');
    await page.locator('#confirm').waitFor({ state: 'hidden' });
    await eventually('the order to move on', async () =>
      (await stageOf(orderId)) !== 'ManualReviewRequired' ? true : undefined,
    );
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
