/**
 * Backpressure at the door and honesty when Temporal is away, over real HTTP on the real stack.
 * A gateway with small bounds and no worker behind its task queue: orders pile up in
 * AcceptedForProcessing exactly as they do when workers fall behind, so admission must start
 * refusing with 429 + Retry-After, keep a lane open for expedited orders, never shed reads, and
 * lose nothing it admitted. A second gateway on the same database points at a Temporal and a
 * Kafka address where nothing answers: reads still come from the read model, marked stale, and it
 * stays ready (degraded, saying so in its health detail and metrics).
 */
import { randomUUID } from 'node:crypto';
import { type Client } from '@temporalio/client';
import { PRIORITY, workflowIdForOrder } from '@order-platform/domain';
import type { Readiness } from '@order-platform/runtime';
import { AppsUnderTest, findFreePort, simulatorCall, suiteTemporal } from '@order-platform/tools';
import { tokenFor } from './testing/test-tokens';

const BOUNDS = { standard: 4, expedited: 8, perCustomerBurst: 2 };

describe('admission and degraded reads on the real stack', () => {
  const apps = new AppsUnderTest('gateway-admission');
  let gateway: string;
  let cutOff: string;
  let closeTemporal: (() => Promise<void>) | undefined;
  let temporal: Client;
  const admitted: { orderId: string; customer: string }[] = [];

  const token = (customer: string) => tokenFor('customer', customer);

  async function submit(baseUrl: string, customer: string, expedited = false) {
    const response = await fetch(`${baseUrl}/v1/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await token(customer)}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({
        items: [{ sku: 'SKU-BURST', quantity: 1 }],
        shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: '12345', country: 'DE' },
        shipping: expedited ? 'expedited' : 'standard',
      }),
    });
    const body = (await response.json()) as { orderId?: string; type?: string };
    if (response.status === 202) admitted.push({ orderId: body.orderId!, customer });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
  }

  /** Waits until the gateway's own measure of work not started reads `count`. */
  async function pendingSettlesAt(count: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    const pattern = new RegExp(`^order_platform_gateway_admission_pending_orders ${count}$`, 'm');
    while (!pattern.test(await (await fetch(`${gateway}/metrics`)).text())) {
      if (Date.now() > deadline) throw new Error(`admission never measured ${count} pending`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    // The catalogue prices the orders; no worker: nothing behind the task queue runs them.
    const simulators = await apps.start('simulators');
    await simulatorCall(simulators, 'PUT', '/catalogue/products/SKU-BURST', {
      priceMinor: 500,
      currency: 'EUR',
    });
    gateway = await apps.start('gateway', 'gateway-bounded', {
      CATALOGUE_URL: simulators,
      ADMISSION_MAX_PENDING: String(BOUNDS.standard),
      ADMISSION_MAX_PENDING_EXPEDITED: String(BOUNDS.expedited),
      RATE_LIMIT_ORDERS_BURST: String(BOUNDS.perCustomerBurst),
      RATE_LIMIT_ORDERS_PER_MINUTE: '1',
      ADMISSION_SAMPLE_MS: '200',
    });
    // Nothing listens there: Temporal and Kafka are "down" for this gateway.
    cutOff = await apps.start(
      'gateway',
      'gateway-cut-off',
      {
        TEMPORAL_ADDRESS: `127.0.0.1:${await findFreePort()}`,
        KAFKA_BROKERS: `127.0.0.1:${await findFreePort()}`,
        ADMISSION_SAMPLE_MS: '200',
        CATALOGUE_URL: simulators,
      },
      // Ready without Temporal: it serves reads.
      'ready',
    );
    ({ client: temporal, close: closeTemporal } = await suiteTemporal());
  }, 240_000);

  afterAll(async () => {
    // No worker will ever run these; end them so they hold nothing on the shared server.
    await Promise.allSettled(
      admitted.map(({ orderId }) =>
        temporal.workflow.getHandle(workflowIdForOrder(orderId)).terminate('test over'),
      ),
    );
    await closeTemporal?.();
    await apps.stopAll();
  }, 60_000);

  it('limits each customer, refuses a burst past the bound with Retry-After, keeps the expedited lane open, and loses nothing', async () => {
    // One customer: the burst allowance, then 429 rate-limited.
    const greedy = `c-${randomUUID().slice(0, 8)}`;
    const own = [];
    for (let i = 0; i < 3; i++) own.push(await submit(gateway, greedy));
    expect(own.map((r) => r.status)).toEqual([202, 202, 429]);
    expect(own[2]!.body.type).toBe('urn:order-platform:problem:rate-limited');
    expect(Number(own[2]!.retryAfter)).toBeGreaterThanOrEqual(1);

    // Many customers at once: admitted up to the bound, the rest refused.
    await pendingSettlesAt(2);
    const burst = await Promise.all(
      Array.from({ length: 12 }, () => submit(gateway, `c-${randomUUID().slice(0, 8)}`)),
    );
    // Never past the bound; admission may refuse a little early (it errs towards refusing
    // while visibility catches up with the latest starts), never late.
    const burstAdmitted = burst.filter((r) => r.status === 202).length;
    expect(burstAdmitted).toBeGreaterThanOrEqual(1);
    expect(2 + burstAdmitted).toBeLessThanOrEqual(BOUNDS.standard);
    const refused = burst.filter((r) => r.status !== 202);
    for (const reply of refused) {
      expect(reply.status).toBe(429);
      expect(reply.body.type).toBe('urn:order-platform:problem:backlog-full');
      expect(Number(reply.retryAfter)).toBeGreaterThanOrEqual(1);
    }

    // The priority lane: expedited orders still enter while standard ones are refused, up to
    // their own, higher bound.
    // A burst refused early (under load) leaves room below the bound: one at a time, what is
    // left is admitted, and the order past the bound is refused.
    let standardAdmitted = 2 + burstAdmitted;
    await pendingSettlesAt(standardAdmitted);
    while (standardAdmitted < BOUNDS.standard) {
      expect((await submit(gateway, `c-${randomUUID().slice(0, 8)}`)).status).toBe(202);
      await pendingSettlesAt(++standardAdmitted);
    }
    expect((await submit(gateway, `c-${randomUUID().slice(0, 8)}`)).status).toBe(429);
    const expedited = [];
    for (let i = 0; i < BOUNDS.expedited; i++) {
      expedited.push(await submit(gateway, `c-${randomUUID().slice(0, 8)}`, true));
    }
    const expeditedAdmitted = expedited.filter((r) => r.status === 202).length;
    expect(expeditedAdmitted).toBeGreaterThanOrEqual(1);
    expect(standardAdmitted + expeditedAdmitted).toBeLessThanOrEqual(BOUNDS.expedited);
    expect(expedited.slice(expeditedAdmitted).every((r) => r.status === 429)).toBe(true);

    // Nothing admitted is lost: each has its workflow, and reads are never shed.
    expect(admitted).toHaveLength(standardAdmitted + expeditedAdmitted);
    const expeditedIds = new Set(expedited.map((r) => r.body.orderId));
    for (const { orderId, customer } of admitted) {
      const description = await temporal.workflow.getHandle(workflowIdForOrder(orderId)).describe();
      expect(description.status.name).toBe('RUNNING');
      // The lane goes on inside Temporal: expedited work is dispatched first in every queue.
      expect(description.raw.workflowExecutionInfo?.priority?.priorityKey).toBe(
        expeditedIds.has(orderId) ? PRIORITY.expedited : PRIORITY.standard,
      );
      const read = await fetch(`${gateway}/v1/orders/${orderId}`, {
        headers: { authorization: `Bearer ${await token(customer)}` },
      });
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ orderId, status: 'RECEIVED', stale: false });
    }

    const metrics = await (await fetch(`${gateway}/metrics`)).text();
    expect(metrics).toMatch(
      /order_platform_gateway_orders_shed_total\{reason="backlog",lane="standard"\} (\d+)/,
    );
    expect(metrics).toMatch(
      /order_platform_gateway_orders_shed_total\{reason="rate-limit",lane="standard"\} 1/,
    );
  });

  it('still answers reads from the read model while Temporal is unreachable, marked stale', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const placed = await submit(gateway, customer, true);
    // The bounded gateway may be full by now: then any admitted order of the first test serves.
    const { orderId, customer: owner } =
      placed.status === 202 ? { orderId: placed.body.orderId!, customer } : admitted[0]!;
    const auth = { authorization: `Bearer ${await token(owner)}` };

    const read = await fetch(`${cutOff}/v1/orders/${orderId}`, { headers: auth });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ orderId, status: 'RECEIVED', stale: true });

    const strong = await fetch(`${cutOff}/v1/orders/${orderId}?consistency=strong`, {
      headers: auth,
    });
    expect(strong.status).toBe(503);
    expect(strong.headers.get('retry-after')).toBe('5');
    expect(strong.headers.get('content-type')).toContain('application/problem+json');

    const write = await submit(cutOff, customer);
    expect(write.status).toBe(503);

    // Still ready: it serves reads. The body says what is degraded and what is lost, with no
    // trace of the error behind it (the address it dialled, the gRPC text).
    const ready = await fetch(`${cutOff}/health/ready`);
    expect(ready.status).toBe(200);
    const readiness = (await ready.json()) as Readiness;
    expect(readiness).toMatchObject({
      status: 'degraded',
      checks: {
        postgres: { status: 'up' },
        // Refused, or (the lazy connection retrying) no answer by the check's deadline.
        temporal: {
          status: 'degraded',
          error: expect.stringMatching(/^(not answering|no answer in \d+ ms)$/),
        },
      },
    });
    expect(readiness.checks.temporal!.detail).toContain('reads are served from the read model');
    // Kafka, which it uses only to replay dead letters, the same.
    expect(readiness.checks.kafka).toEqual({
      status: 'degraded',
      error: expect.stringMatching(/^(not answering|no answer in \d+ ms)$/),
      detail: 'dead letters are not replayed',
    });
    const body = JSON.stringify(readiness);
    expect(body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|UNAVAILABLE|\bat /);

    // And the metrics say so, for dashboards and alerts.
    const metrics = await (await fetch(`${cutOff}/metrics`)).text();
    expect(metrics).toContain('order_platform_health_check{check="temporal",status="degraded"} 1');
    expect(metrics).toContain('order_platform_health_check{check="postgres",status="up"} 1');
    expect(metrics).toContain('order_platform_health_check{check="kafka",status="degraded"} 1');

    // Reads go on being served while it says degraded.
    const again = await fetch(`${cutOff}/v1/orders/${orderId}`, { headers: auth });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ orderId, stale: true });
  });
});
