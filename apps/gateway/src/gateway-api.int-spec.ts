/**
 * The gateway's API over real HTTP, end to end on the real platform: the gateway, the worker and
 * the simulators started from their entry points on the suite's stack (Temporal, Kafka,
 * PostgreSQL). What a customer and an operator see, and every promise behind it: the workflow,
 * the payment ledger and the warehouse agree with what the API says.
 */
import { randomUUID } from 'node:crypto';
import { type Client } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import {
  admittedOrderView,
  MOST_CAREFUL_SEGMENT,
  workflowIdForOrder,
} from '@order-platform/domain';
import { TypeOrmOrderStatusProjector } from '@order-platform/stores';
import { placedOrderOf, suiteDataSource } from '@order-platform/stores/testing';
import {
  AppsUnderTest,
  calmDownstream,
  eventually,
  gatewayCall,
  simulatorCall,
  suiteEnv,
  suiteTemporal,
  type GatewayReply,
  type GatewayRequest,
} from '@order-platform/tools';
import {
  orderDeliveredSignal,
  orderStatusQuery,
  shipmentDispatchedSignal,
} from '@order-platform/workflows';
import { mintToken } from './auth/tokens';
import { stackTokenKeys, tokenFor } from './testing/test-tokens';

const PROBLEM_JSON = 'application/problem+json';

function orderBody(overrides: Record<string, unknown> = {}) {
  return {
    items: [{ sku: `SKU-GW-${randomUUID().slice(0, 8)}`, quantity: 2 }],
    currency: 'EUR',
    shippingAddress: {
      name: 'Ada Lovelace',
      line1: '12 St James Square',
      city: 'London',
      postalCode: 'SW1Y 4JH',
      country: 'GB',
    },
    ...overrides,
  };
}

describe('the gateway API on the real platform', () => {
  const apps = new AppsUnderTest('gateway-api');
  let gateway: string;
  let simulators: string;
  let closeTemporal: (() => Promise<void>) | undefined;
  let temporal: Client;

  beforeAll(async () => {
    simulators = await apps.downstream();
    gateway = await apps.start('gateway', 'gateway', { ADMISSION_SAMPLE_MS: '200' });
    // Another suite may have dialled the shared simulators; these journeys need them well behaved.
    await calmDownstream(simulators);
    ({ client: temporal, close: closeTemporal } = await suiteTemporal());
  }, 240_000);

  afterAll(async () => {
    await closeTemporal?.();
    await apps.stopAll();
  }, 60_000);

  const api = (method: string, path: string, options?: GatewayRequest) =>
    gatewayCall(gateway, method, path, options);

  /** Stocks the order's skus and prices them at 12.50 EUR in the catalogue, then places it. */
  async function place(customer: string, body = orderBody(), key: string = randomUUID()) {
    for (const { sku } of body.items) {
      await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 10 });
      await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
        priceMinor: 1250,
        currency: 'EUR',
      });
    }
    return api('POST', '/v1/orders', {
      token: await tokenFor('customer', customer),
      body,
      headers: { 'idempotency-key': key },
    });
  }

  async function statusOf(customer: string, orderId: string, wanted: string) {
    const token = await tokenFor('customer', customer);
    return eventually(`order ${orderId} to be ${wanted}`, async () => {
      const reply = await api('GET', `/v1/orders/${orderId}`, { token });
      return reply.body.status === wanted ? reply.body : undefined;
    });
  }

  it('takes a customer from RECEIVED to DELIVERED, saying CONFIRMED only while everything is held', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const placed = await place(customer);
    expect(placed.status).toBe(202);
    expect(placed.body).toEqual({
      orderId: expect.any(String),
      status: 'RECEIVED',
      links: { self: `/v1/orders/${placed.body.orderId}` },
    });
    expect(placed.headers.get('location')).toBe(`/v1/orders/${placed.body.orderId}`);
    const { orderId } = placed.body;

    const ready = await statusOf(customer, orderId, 'READY_TO_SHIP');
    expect(ready).toMatchObject({
      orderId,
      delayed: false,
      cancellable: true,
      items: [{ quantity: 2, unitPrice: 1250 }],
      total: 2500,
      currency: 'EUR',
      stale: false,
    });
    expect(ready.history.map((h: { status: string }) => h.status)).toEqual([
      'RECEIVED',
      'UNDER_REVIEW',
      'CONFIRMED',
      'READY_TO_SHIP',
    ]);
    // What the API promised is held where it counts: authorized money, allocated stock.
    const ledger = await simulatorCall<{ kind: string; amountMinor: number }[]>(
      simulators,
      'GET',
      `/payments/ledger?orderId=${orderId}`,
    );
    expect(ledger).toEqual([expect.objectContaining({ kind: 'authorization', amountMinor: 2500 })]);
    // The workflow's own answer agrees with the read model's.
    const strong = await api('GET', `/v1/orders/${orderId}?consistency=strong`, {
      token: await tokenFor('customer', customer),
    });
    expect(strong.body).toMatchObject({ status: 'READY_TO_SHIP', stale: false });

    const handle = temporal.workflow.getHandle(workflowIdForOrder(orderId));
    await handle.signal(shipmentDispatchedSignal, { trackingId: 'track-1' });
    await statusOf(customer, orderId, 'SHIPPED');
    await handle.signal(orderDeliveredSignal);
    const delivered = await statusOf(customer, orderId, 'DELIVERED');
    expect(delivered.cancellable).toBe(false);
    expect(delivered.links).toEqual({ self: `/v1/orders/${orderId}` });

    const listed = await api('GET', '/v1/orders', { token: await tokenFor('customer', customer) });
    expect(listed.body).toMatchObject({
      orders: [{ orderId, status: 'DELIVERED' }],
      nextCursor: null,
    });
  });

  it('stops saying CONFIRMED the moment a hold lapses, also while it answers the order from memory', async () => {
    // Reads come from memory only while the gateway listens for changes.
    await eventually('the status read cache serving', async () => {
      const metrics = await fetch(`${gateway}/metrics`).then((reply) => reply.text());
      return metrics.includes('order_platform_gateway_status_read_cache_serving 1') || undefined;
    });
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const order = placedOrderOf(customer);
    const token = await tokenFor('customer', customer);
    const dataSource = await suiteDataSource({ applicationName: 'gateway-api-spec' });
    // Set once everything is ready, so the reads have the whole window.
    const lapsesAt = Date.now() + 4_000;
    try {
      await new TypeOrmOrderStatusProjector(dataSource).project({
        ...admittedOrderView(order),
        version: 1,
        stage: 'Confirmed',
        commitments: {
          fraud: { decision: 'approved', decidedBy: 'provider', at: order.placedAt },
          stock: {
            reservationId: `r-${order.orderId}`,
            state: 'reserved',
            expiresAt: new Date(lapsesAt).toISOString(),
          },
          payment: {
            authorizationId: `a-${order.orderId}`,
            state: 'authorized',
            amountMinor: 1_000,
            currency: 'EUR',
            expiresAt: new Date(lapsesAt + 3_600_000).toISOString(),
          },
        },
        history: [{ stage: 'Confirmed', at: order.placedAt }],
      });
    } finally {
      await dataSource.destroy();
    }
    /** The status, and whether the gateway's clock read before or after the lapse for sure. */
    const read = async () => {
      const sentAt = Date.now();
      const reply = await api('GET', `/v1/orders/${order.orderId}`, { token });
      expect(reply.status).toBe(200);
      const answeredAt = Date.now();
      return {
        status: reply.body.status as string,
        before: answeredAt < lapsesAt,
        after: sentAt >= lapsesAt,
      };
    };
    // Polled as a customer's app would: after the first read the order is kept in memory (an
    // entry lives 5 s, and nothing about the order is announced), and so is its answer.
    let confirmedReads = 0;
    let reading = await read();
    while (!reading.after) {
      if (reading.before) {
        expect(reading.status).toBe('CONFIRMED');
        confirmedReads += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      reading = await read();
    }
    expect(confirmedReads).toBeGreaterThan(1);
    // Sent after the lapse, with nothing announced: only the clock says the stock is not held.
    expect(reading.status).toBe('UNDER_REVIEW');
  });

  it('returns the same order for a retried submission, and 409 when the key comes back with another body', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const key = randomUUID();
    const body = orderBody();
    const first = await place(customer, body, key);
    const retry = await place(customer, body, key);
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(retry.body.orderId).toBe(first.body.orderId);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');

    // One workflow for the customer, not two.
    const started = await eventually('the workflow to be visible', async () => {
      const { count } = await temporal.workflow.count(`CustomerId = "${customer}"`);
      return count > 0 ? count : undefined;
    });
    expect(started).toBe(1);

    const reused = await place(
      customer,
      { ...body, items: [{ ...body.items[0]!, quantity: 3 }] },
      key,
    );
    expect(reused.status).toBe(409);
    expect(reused.headers.get('content-type')).toContain(PROBLEM_JSON);
    expect(reused.body).toMatchObject({
      type: 'urn:order-platform:problem:idempotency-key-reused',
      status: 409,
    });
    // Keys are per customer: another customer may use the same one for their own order.
    const other = await place(`c-${randomUUID().slice(0, 8)}`, body, key);
    expect(other.status).toBe(202);
    expect(other.body.orderId).not.toBe(first.body.orderId);
  });

  it('cancels an order that has not shipped, voiding the payment, and refuses once it has', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const token = await tokenFor('customer', customer);
    const { orderId } = (await place(customer)).body;
    await statusOf(customer, orderId, 'READY_TO_SHIP');
    const cancelled = await api('POST', `/v1/orders/${orderId}/cancel`, { token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ orderId, status: 'CANCELLED', cancellable: false });
    // The compensations run as the order ends: the authorization is voided, nothing captured.
    const ledger = await eventually('the authorization to be voided', async () => {
      const entries = await simulatorCall<{ kind: string }[]>(
        simulators,
        'GET',
        `/payments/ledger?orderId=${orderId}`,
      );
      return entries.length === 2 ? entries : undefined;
    });
    expect(ledger.map((entry) => entry.kind)).toEqual(['authorization', 'void']);

    const shipped = (await place(customer)).body.orderId;
    await statusOf(customer, shipped, 'READY_TO_SHIP');
    await temporal.workflow
      .getHandle(workflowIdForOrder(shipped))
      .signal(shipmentDispatchedSignal, {});
    await statusOf(customer, shipped, 'SHIPPED');
    const refused = await api('POST', `/v1/orders/${shipped}/cancel`, { token });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      type: 'urn:order-platform:problem:cancel-refused',
      detail: expect.stringContaining('SHIPPED'),
    });
  });

  it('gives a customer whose token names no segment the most careful policy, not standard', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const body = orderBody();
    const { sku } = body.items[0]!;
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 10 });
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 1250,
      currency: 'EUR',
    });
    const placed = await api('POST', '/v1/orders', {
      token: await tokenFor('customer', customer, 600, null),
      body,
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(placed.status).toBe(202);
    const view = await temporal.workflow
      .getHandle(workflowIdForOrder(placed.body.orderId))
      .query(orderStatusQuery);
    expect(view.segment).toBe(MOST_CAREFUL_SEGMENT);
  });

  it('refuses a cancel once the warehouse has dispatched, with the return hint, and ships the order paid once', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const token = await tokenFor('customer', customer);
    const { orderId } = (await place(customer)).body;
    const ready = await statusOf(customer, orderId, 'READY_TO_SHIP');
    expect(ready.cancellable).toBe(true);
    // The warehouse floor dispatches the parcel; nobody has told the platform yet.
    const [shipment] = await simulatorCall<{ shipmentId: string }[]>(
      simulators,
      'GET',
      `/fulfillment/shipments?orderId=${orderId}`,
    );
    const dispatched = await fetch(
      `${simulators}/fulfillment/shipments/${shipment!.shipmentId}/dispatch`,
      { method: 'POST', headers: { 'idempotency-key': randomUUID() } },
    );
    expect(dispatched.status).toBe(200);

    const refused = await api('POST', `/v1/orders/${orderId}/cancel`, { token });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      type: 'urn:order-platform:problem:cancel-refused',
      detail: expect.stringContaining('request a return'),
    });
    const shipped = await statusOf(customer, orderId, 'SHIPPED');
    expect(shipped.cancellable).toBe(false);
    const ledger = await simulatorCall<{ kind: string; amountMinor: number }[]>(
      simulators,
      'GET',
      `/payments/ledger?orderId=${orderId}`,
    );
    expect(ledger.map((entry) => entry.kind)).toEqual(['authorization', 'capture']);
    const reservations = await simulatorCall<{ state: string }[]>(
      simulators,
      'GET',
      `/warehouse/reservations?orderId=${orderId}`,
    );
    expect(reservations.map((r) => r.state)).not.toContain('released');
    // Asked again, the answer is the same, now straight from the validator.
    const again = await api('POST', `/v1/orders/${orderId}/cancel`, { token });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('request a return');
  });

  it("never shows, lists or cancels one customer's order for another", async () => {
    const owner = `c-${randomUUID().slice(0, 8)}`;
    const stranger = await tokenFor('customer', `c-${randomUUID().slice(0, 8)}`);
    const { orderId } = (await place(owner)).body;
    await statusOf(owner, orderId, 'READY_TO_SHIP');

    const missing = await api('GET', `/v1/orders/${randomUUID()}`, { token: stranger });
    for (const reply of [
      await api('GET', `/v1/orders/${orderId}`, { token: stranger }),
      await api('GET', `/v1/orders/${orderId}?consistency=strong`, { token: stranger }),
      await api('POST', `/v1/orders/${orderId}/cancel`, { token: stranger }),
    ]) {
      // Exactly the answer for an order that does not exist.
      expect(reply.status).toBe(404);
      expect({ ...reply.body, requestId: undefined }).toEqual({
        ...missing.body,
        requestId: undefined,
      });
      expect(JSON.stringify(reply.body)).not.toContain(owner);
    }
    expect((await api('GET', '/v1/orders', { token: stranger })).body.orders).toEqual([]);
    // The owner's order was not touched.
    await statusOf(owner, orderId, 'READY_TO_SHIP');
  });

  it('keeps operator paths for operators and customer paths for customers', async () => {
    const customer = await tokenFor('customer', 'c-curious');
    const operator = await tokenFor('operator', 'ops-1');
    for (const [method, path] of [
      ['GET', '/v1/ops/backlog'],
      ['GET', '/v1/ops/orders'],
      ['POST', `/v1/ops/orders/${randomUUID()}/review`],
    ] as const) {
      const asCustomer = await api(method, path, {
        token: customer,
        body: method === 'POST' ? { decision: 'approve', note: 'me' } : undefined,
      });
      expect(asCustomer.status).toBe(403);
      expect(asCustomer.headers.get('content-type')).toContain(PROBLEM_JSON);
      expect((await api(method, path)).status).toBe(401);
    }
    expect((await api('GET', '/v1/orders', { token: operator })).status).toBe(403);
  });

  it('answers every bad input with its status and a problem document naming the field', async () => {
    const token = await tokenFor('customer', `c-${randomUUID().slice(0, 8)}`);
    const post = (options: GatewayRequest) =>
      api('POST', '/v1/orders', {
        token,
        ...options,
        headers: { 'idempotency-key': randomUUID(), ...options?.headers },
      });
    const line = { sku: 'SKU-1', quantity: 1 };
    const cases: [string, Promise<GatewayReply>, number, string[]][] = [
      ['malformed JSON', post({ raw: '{"items": [' }), 400, ['body']],
      ['an array body', post({ body: [] }), 400, ['body']],
      [
        'wrong types',
        post({ body: orderBody({ items: [{ ...line, quantity: '2' }] }) }),
        400,
        ['items[0].quantity'],
      ],
      [
        'an unknown field',
        post({ body: orderBody({ customerId: 'someone-else' }) }),
        400,
        ['customerId'],
      ],
      [
        'a zero quantity',
        post({ body: orderBody({ items: [{ ...line, quantity: 0 }] }) }),
        400,
        ['items[0].quantity'],
      ],
      [
        'a price from the client (the catalogue sets prices)',
        post({ body: orderBody({ items: [{ ...line, unitPrice: -1 }] }) }),
        400,
        ['items[0].unitPrice'],
      ],
      [
        'an absurd quantity',
        post({ body: orderBody({ items: [{ ...line, quantity: 1e9 }] }) }),
        400,
        ['items[0].quantity'],
      ],
      [
        'too many lines',
        post({ body: orderBody({ items: Array(101).fill(line) }) }),
        400,
        ['items'],
      ],
      [
        'a missing address',
        post({ body: { items: [line], currency: 'EUR' } }),
        400,
        ['shippingAddress'],
      ],
      ['a bad currency', post({ body: orderBody({ currency: 'euro' }) }), 400, ['currency']],
      [
        'no Idempotency-Key',
        api('POST', '/v1/orders', { token, body: orderBody() }),
        400,
        ['Idempotency-Key'],
      ],
      ['an oversized body', post({ raw: JSON.stringify({ pad: 'x'.repeat(70_000) }) }), 413, []],
      ['a text body', post({ raw: 'hello', headers: { 'content-type': 'text/plain' } }), 415, []],
      ['no token', api('GET', '/v1/orders'), 401, []],
      [
        'a token signed with another key',
        (async () =>
          api('GET', '/v1/orders', {
            token: await mintToken(
              { subject: 'c-1', roles: ['customer'] },
              { ...stackTokenKeys(), jwtSecret: 'another-secret-another-secret-another' },
            ),
          }))(),
        401,
        [],
      ],
      [
        'an expired token',
        (async () => api('GET', '/v1/orders', { token: await tokenFor('customer', 'c-1', -60) }))(),
        401,
        [],
      ],
      ['a bad cursor', api('GET', '/v1/orders?cursor=nonsense', { token }), 400, ['cursor']],
      ['a bad limit', api('GET', '/v1/orders?limit=1000', { token }), 400, ['limit']],
    ];
    for (const [what, pending, status, fields] of cases) {
      const reply = await pending;
      expect({ what, status: reply.status }).toEqual({ what, status });
      expect(reply.headers.get('content-type')).toContain(PROBLEM_JSON);
      expect(reply.body).toMatchObject({
        type: expect.stringMatching(/^urn:order-platform:problem:/),
        status,
      });
      const named = (reply.body.errors ?? []).map((e: { field: string }) => e.field);
      for (const field of fields)
        expect({ what, named }).toEqual({ what, named: expect.arrayContaining([field]) });
      // Nothing internal leaks: no stack frames, no source paths, no framework names.
      expect(JSON.stringify(reply.body)).not.toMatch(/at .*\.ts|node_modules|Nest|Fastify|Error:/);
    }
  });

  it('lets an operator see the backlog, find stuck orders in the Temporal UI and decide a manual review', async () => {
    const operator = await tokenFor('operator', `ops-${randomUUID().slice(0, 8)}`);
    const customer = `c-${randomUUID().slice(0, 8)}`;
    await simulatorCall(simulators, 'PUT', '/fraud/settings', { decision: 'review' });
    let orderId: string;
    try {
      orderId = (await place(customer)).body.orderId;
      const underReview = await statusOf(customer, orderId, 'UNDER_REVIEW');
      await eventually('manual review', async () => {
        const reply = await api('GET', `/v1/orders/${orderId}`, {
          token: await tokenFor('customer', customer),
        });
        return reply.body.delayed ? reply.body : undefined;
      });
      expect(underReview.status).toBe('UNDER_REVIEW');
    } finally {
      await simulatorCall(simulators, 'PUT', '/fraud/settings', {});
    }
    const reviewing = await api('GET', `/v1/orders/${orderId}`, {
      token: await tokenFor('customer', customer),
    });
    expect(reviewing.body).toMatchObject({
      status: 'UNDER_REVIEW',
      delayed: true,
      delayReason: 'Your order needs a manual check by our team',
    });

    // The backlog is one query cached for a second: it may predate the review by that much.
    const review = await eventually('the review in the backlog', async () => {
      const backlog = await api('GET', '/v1/ops/backlog', { token: operator });
      expect(backlog.status).toBe(200);
      const stage = backlog.body.stages.find(
        (s: { stage: string }) => s.stage === 'ManualReviewRequired',
      );
      return stage.count >= 1 ? stage : undefined;
    });
    expect(review.count).toBeGreaterThanOrEqual(1);
    expect(review.summary).toMatch(/% of orders awaiting manual review beyond the stage deadline/);

    const stuck = await api('GET', '/v1/ops/orders?stage=ManualReviewRequired', {
      token: operator,
    });
    const listed = stuck.body.orders.find((o: { orderId: string }) => o.orderId === orderId);
    expect(listed).toMatchObject({ customerId: customer, needsAttention: expect.any(String) });
    expect(listed.links.temporalUi).toBe(
      `${suiteEnv('TEMPORAL_UI_URL')}/namespaces/default/workflows/${workflowIdForOrder(orderId)}`,
    );
    expect(decodeURIComponent(stuck.body.temporalUi)).toContain(
      'OrderStage = "ManualReviewRequired"',
    );

    const decided = await api('POST', `/v1/ops/orders/${orderId}/review`, {
      token: operator,
      body: { decision: 'approve', note: 'customer verified by phone' },
    });
    expect(decided.status).toBe(202);
    expect(decided.body).toMatchObject({
      orderId,
      decision: 'approve',
      auditId: expect.any(String),
    });
    await statusOf(customer, orderId, 'READY_TO_SHIP');
    // Deciding twice is refused: the order is no longer in manual review.
    const again = await api('POST', `/v1/ops/orders/${orderId}/review`, {
      token: operator,
      body: { decision: 'reject', note: 'too late' },
    });
    expect(again.status).toBe(409);
  });

  it('refuses a review of an order that is not waiting for one, and audits nothing', async () => {
    const operator = await tokenFor('operator', `ops-${randomUUID().slice(0, 8)}`);
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const { orderId } = (await place(customer)).body;
    await statusOf(customer, orderId, 'READY_TO_SHIP');
    const refused = await api('POST', `/v1/ops/orders/${orderId}/review`, {
      token: operator,
      body: { decision: 'reject', note: 'looks odd', operatorId: 'someone-else' },
    });
    // The operator is who the token says: a body naming another is not even valid.
    expect(refused.status).toBe(400);
    const notWaiting = await api('POST', `/v1/ops/orders/${orderId}/review`, {
      token: operator,
      body: { decision: 'reject', note: 'looks odd' },
    });
    expect(notWaiting.status).toBe(409);
    expect(notWaiting.body).toMatchObject({
      type: 'urn:order-platform:problem:not-in-manual-review',
      detail: 'The order is in ReadyForFulfillment, not in manual review',
    });
    const db = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT id FROM operator_audit WHERE subject = $1', [
        orderId,
      ]);
      expect(rows).toEqual([]);
    } finally {
      await db.end();
    }
    await statusOf(customer, orderId, 'READY_TO_SHIP');
  });

  it('serves metrics, probes and docs without a token, with security headers and request ids', async () => {
    const metrics = await api('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/order_platform_orders_in_stage\{stage="AwaitingFraudDecision"\}/);
    expect(metrics.body).toMatch(/order_platform_gateway_http_request_duration_seconds_bucket/);
    expect(metrics.body).toMatch(/order_platform_gateway_orders_admitted_total\{lane="standard"\}/);
    expect((await api('GET', '/health/ready')).body).toMatchObject({ status: 'ok' });
    const docs = await api('GET', '/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/v1/orders', '/v1/orders/{orderId}', '/v1/ops/backlog']),
    );

    const reply = await api('GET', '/v1/orders', { headers: { 'x-request-id': 'trace-12345678' } });
    expect(reply.headers.get('x-request-id')).toBe('trace-12345678');
    expect(reply.body.requestId).toBe('trace-12345678');
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(reply.headers.get('content-security-policy')).toContain("default-src 'self'");
    // No CORS unless origins are configured.
    const cors = await api('GET', '/v1/orders', { headers: { origin: 'https://evil.example' } });
    expect(cors.headers.get('access-control-allow-origin')).toBeNull();
  });
});
