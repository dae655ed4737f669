/**
 * The simulators' own guarantees, on the test stack's PostgreSQL, in a schema of this run's own
 * (so resetting it disturbs no other suite): stock is never oversold under concurrency, one key
 * is one effect, a simulated outage is retryable, every problem is a problem document, and the
 * fulfilment service tells the platform each dispatch and delivery, signed, until it is heard.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { startSimulators, type RunningSimulators } from './server';

const databaseUrl = process.env.SIMULATORS_DATABASE_URL!;
const schema = `simulators_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

describe('the simulators', () => {
  let simulators: RunningSimulators;
  const key = () => randomUUID();

  const call = async (method: string, path: string, body?: unknown, idempotencyKey?: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const response = await fetch(`${simulators.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      replayed: response.headers.get('idempotent-replayed') === 'true',
      text,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      body: JSON.parse(text) as any,
    };
  };

  beforeAll(async () => {
    simulators = await startSimulators({ port: 0, host: '127.0.0.1', databaseUrl, schema });
  });

  afterAll(async () => {
    await simulators?.close();
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  beforeEach(async () => {
    expect((await call('POST', '/admin/reset')).status).toBe(200);
  });

  it('reports ready when its database answers', async () => {
    expect(await call('GET', '/health/ready')).toMatchObject({
      status: 200,
      body: { status: 'ok', checks: { postgres: { status: 'up' } } },
    });
    expect((await call('GET', '/health/live')).status).toBe(200);
  });

  it('never oversells: concurrent reservations take exactly the stock there is', async () => {
    await call('PUT', '/warehouse/stock/widget', { onHand: 5 });
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(
          'POST',
          '/warehouse/reservations',
          { orderId: `order-${i}`, lines: [{ sku: 'widget', quantity: 1 }], ttlMs: 60_000 },
          key(),
        ),
      ),
    );
    const statuses = attempts.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(5).fill(201), ...Array(7).fill(409)]);
    expect((await call('GET', '/warehouse/stock/widget')).body).toEqual({
      sku: 'widget',
      onHand: 5,
      reserved: 5,
      allocated: 0,
      available: 0,
    });
  });

  it('makes one reservation when the same key arrives several times at once', async () => {
    await call('PUT', '/warehouse/stock/widget', { onHand: 10 });
    const sameKey = key();
    const body = { orderId: 'order-1', lines: [{ sku: 'widget', quantity: 2 }], ttlMs: 60_000 };
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => call('POST', '/warehouse/reservations', body, sameKey)),
    );
    expect(new Set(replies.map((r) => r.text)).size).toBe(1);
    expect(replies.filter((r) => !r.replayed)).toHaveLength(1);
    expect((await call('GET', '/warehouse/reservations?orderId=order-1')).body).toHaveLength(1);
    expect((await call('GET', '/warehouse/stock/widget')).body.reserved).toBe(2);
  });

  it('replays a business refusal for its key, and refuses a key reused for another request', async () => {
    const outOfStock = { orderId: 'order-1', lines: [{ sku: 'none', quantity: 1 }], ttlMs: 1000 };
    const k = key();
    const first = await call('POST', '/warehouse/reservations', outOfStock, k);
    expect(first).toMatchObject({ status: 409, body: { type: 'urn:simulators:out-of-stock' } });
    const again = await call('POST', '/warehouse/reservations', outOfStock, k);
    expect(again).toMatchObject({ status: 409, replayed: true, text: first.text });
    const other = await call('POST', '/warehouse/reservations', { ...outOfStock, ttlMs: 5 }, k);
    expect(other).toMatchObject({
      status: 422,
      body: { type: 'urn:simulators:idempotency-key-reused' },
    });
  });

  it('does not store a simulated outage: a retry with the same key really retries', async () => {
    await call('PUT', '/payments/settings', { failureRate: 1 });
    const authorization = {
      orderId: 'order-1',
      customerId: 'customer-1',
      amountMinor: 500,
      currency: 'EUR',
      validityMs: 60_000,
    };
    const k = key();
    expect(await call('POST', '/payments/authorizations', authorization, k)).toMatchObject({
      status: 503,
      contentType: 'application/problem+json',
      body: { type: 'urn:simulators:unavailable', status: 503 },
    });
    await call('PUT', '/payments/settings', {});
    expect((await call('POST', '/payments/authorizations', authorization, k)).status).toBe(201);
    expect((await call('GET', '/payments/ledger?orderId=order-1')).body).toHaveLength(1);
  });

  it('captures an authorization once, even when two different keys race', async () => {
    const { body } = await call(
      'POST',
      '/payments/authorizations',
      { orderId: 'o-1', customerId: 'c-1', amountMinor: 900, currency: 'EUR', validityMs: 60_000 },
      key(),
    );
    const captures = await Promise.all(
      [key(), key(), key()].map((k) =>
        call(
          'POST',
          `/payments/authorizations/${body.authorizationId}/capture`,
          { amountMinor: 900 },
          k,
        ),
      ),
    );
    expect(captures.map((c) => c.status).sort()).toEqual([201, 409, 409]);
    const ledger = (await call('GET', '/payments/ledger?orderId=o-1')).body as { kind: string }[];
    expect(ledger.map((row) => row.kind)).toEqual(['authorization', 'capture']);
  });

  it('keeps the money right: no capture above the authorization, no refund above the capture', async () => {
    const { body: auth } = await call(
      'POST',
      '/payments/authorizations',
      { orderId: 'o-2', customerId: 'c-2', amountMinor: 1000, currency: 'EUR', validityMs: 60_000 },
      key(),
    );
    const capturePath = `/payments/authorizations/${auth.authorizationId}/capture`;
    expect((await call('POST', capturePath, { amountMinor: 1001 }, key())).status).toBe(422);
    const { body: capture } = await call('POST', capturePath, { amountMinor: 800 }, key());
    const refundPath = `/payments/captures/${capture.captureId}/refund`;
    expect((await call('POST', refundPath, { amountMinor: 500 }, key())).status).toBe(201);
    expect(await call('POST', refundPath, { amountMinor: 301 }, key())).toMatchObject({
      status: 422,
      body: { type: 'urn:simulators:amount-exceeds-capture' },
    });
    const ledger = (await call('GET', '/payments/ledger?orderId=o-2')).body as {
      kind: string;
      amountMinor: number;
    }[];
    expect(ledger.map((row) => [row.kind, row.amountMinor])).toEqual([
      ['authorization', 1000],
      ['capture', 800],
      ['refund', 500],
    ]);
  });

  it('will not lower stock below what is reserved or allocated', async () => {
    await call('PUT', '/warehouse/stock/widget', { onHand: 4 });
    await call(
      'POST',
      '/warehouse/reservations',
      { orderId: 'o-1', lines: [{ sku: 'widget', quantity: 3 }], ttlMs: 60_000 },
      key(),
    );
    expect(await call('PUT', '/warehouse/stock/widget', { onHand: 2 })).toMatchObject({
      status: 409,
      body: { type: 'urn:simulators:stock-committed' },
    });
    expect((await call('PUT', '/warehouse/stock/widget', { onHand: 3 })).body.available).toBe(0);
  });

  it('restocks a returned parcel once per return, whatever key each retry carries', async () => {
    await call('PUT', '/warehouse/stock/gadget', { onHand: 4 });
    const parcel = {
      returnId: 'return-o-9-1',
      orderId: 'o-9',
      lines: [{ sku: 'gadget', quantity: 2 }],
    };
    expect((await call('POST', '/warehouse/returns', parcel, key())).status).toBe(201);
    expect((await call('POST', '/warehouse/returns', parcel, key())).status).toBe(201);
    expect((await call('GET', '/warehouse/stock/gadget')).body.onHand).toBe(6);
    expect((await call('GET', '/warehouse/returns?orderId=o-9')).body).toEqual([
      expect.objectContaining({ returnId: 'return-o-9-1', sku: 'gadget', quantity: 2 }),
    ]);
  });

  it('requires an Idempotency-Key on every POST that changes something', async () => {
    const changes = [
      '/fraud/screenings',
      '/warehouse/reservations',
      '/warehouse/reservations/r-1/allocate',
      '/warehouse/reservations/r-1/release',
      '/payments/authorizations',
      '/payments/authorizations/a-1/void',
      '/payments/authorizations/a-1/capture',
      '/payments/captures/c-1/refund',
      '/fulfillment/shipments',
      '/fulfillment/shipments/s-1/dispatch',
      '/fulfillment/shipments/s-1/cancel',
      '/fulfillment/shipments/s-1/deliver',
      '/fulfillment/returns',
      '/notifications',
    ];
    for (const path of changes) {
      const body =
        path === '/fraud/screenings'
          ? { orderId: 'o', customerId: 'c', segment: 'standard', totalMinor: 1, currency: 'EUR' }
          : path === '/warehouse/reservations'
            ? { orderId: 'o', lines: [{ sku: 's', quantity: 1 }], ttlMs: 1 }
            : path === '/fulfillment/shipments'
              ? { orderId: 'o', lines: [{ sku: 's', quantity: 1 }] }
              : path === '/fulfillment/returns'
                ? { orderId: 'o', returnId: 'r' }
                : path === '/notifications'
                  ? { orderId: 'o', customerId: 'c', kind: 'confirmed', message: 'm' }
                  : {};
      const reply = await call('POST', path, body);
      expect({ path, status: reply.status, type: reply.body.type }).toEqual({
        path,
        status: 400,
        type: 'urn:simulators:idempotency-key-missing',
      });
    }
  });

  it('answers bad input, unknown resources and wrong methods with problem documents', async () => {
    const invalid = await call(
      'POST',
      '/warehouse/reservations',
      { orderId: 'o', lines: [] },
      key(),
    );
    expect(invalid).toMatchObject({
      status: 400,
      contentType: 'application/problem+json',
      body: {
        type: 'urn:simulators:invalid-request',
        title: expect.any(String),
        detail: 'lines must be a non-empty array',
      },
    });
    expect((await call('GET', '/nowhere')).body).toMatchObject({
      status: 404,
      type: 'urn:simulators:not-found',
    });
    expect((await call('DELETE', '/notifications')).body).toMatchObject({
      status: 405,
      type: 'urn:simulators:method-not-allowed',
    });
    expect(
      (await call('POST', '/payments/authorizations/nope/capture', { amountMinor: 1 }, key()))
        .status,
    ).toBe(404);
  });

  it('forgets everything on reset', async () => {
    await call('PUT', '/fraud/settings', { latencyMs: 5, decision: 'review' });
    await call(
      'POST',
      '/notifications',
      { orderId: 'o-1', customerId: 'c-1', kind: 'confirmed', message: 'Your order is confirmed.' },
      'k-1',
    );
    await call('POST', '/admin/reset');
    expect((await call('GET', '/notifications?customerId=c-1')).body).toEqual([]);
    expect((await call('GET', '/fraud/settings')).body).toMatchObject({
      latencyMs: 0,
      decision: null,
    });
  });

  it('lets the fraud provider be dialled to review every order, with its thresholds', async () => {
    // The score is derived from the order id: 'o-2' scores 16 (of 0-29), the same every run.
    const screening = {
      orderId: 'o-2',
      customerId: 'c-1',
      segment: 'vip',
      totalMinor: 10,
      currency: 'EUR',
    };
    const { body: verdict } = await call('POST', '/fraud/screenings', screening, key());
    expect(verdict).toMatchObject({ decision: 'approve', score: 16 });
    await call('PUT', '/fraud/settings', { reviewAboveScore: 10 });
    expect((await call('POST', '/fraud/screenings', screening, key())).body.decision).toBe(
      'review',
    );
    await call('PUT', '/fraud/settings', { reviewAboveScore: 10, rejectAboveScore: 15 });
    expect((await call('POST', '/fraud/screenings', screening, key())).body.decision).toBe(
      'reject',
    );
    await call('PUT', '/fraud/settings', { decision: 'review' });
    expect((await call('POST', '/fraud/screenings', screening, key())).body.decision).toBe(
      'review',
    );
    expect((await call('GET', '/fraud/screenings?orderId=o-2')).body).toHaveLength(4);
  });
  it('prices skus from its catalogue, seeded with defaults, and lets a test set a price', async () => {
    expect((await call('GET', '/catalogue/products?skus=SKU-1,SKU-2,NOPE')).body).toEqual({
      products: [
        { sku: 'SKU-1', priceMinor: 1_250, currency: 'EUR' },
        { sku: 'SKU-2', priceMinor: 2_500, currency: 'EUR' },
      ],
    });
    expect(
      (await call('PUT', '/catalogue/products/SKU-1', { priceMinor: 1_500, currency: 'EUR' }))
        .status,
    ).toBe(200);
    expect(
      (
        await call('PUT', '/catalogue/shipping-options/expedited', {
          priceMinor: 700,
          currency: 'USD',
        })
      ).status,
    ).toBe(200);
    expect((await call('GET', '/catalogue/products?skus=SKU-1')).body.products).toEqual([
      { sku: 'SKU-1', priceMinor: 1_500, currency: 'EUR' },
    ]);
    expect((await call('GET', '/catalogue/shipping-options')).body.shippingOptions).toEqual([
      { option: 'expedited', priceMinor: 900, currency: 'EUR' },
      { option: 'expedited', priceMinor: 700, currency: 'USD' },
    ]);
    expect(
      (await call('PUT', '/catalogue/products/SKU-1', { priceMinor: 0, currency: 'EUR' })).status,
    ).toBe(400);
    expect(
      (
        await call('PUT', '/catalogue/shipping-options/teleport', {
          priceMinor: 1,
          currency: 'EUR',
        })
      ).status,
    ).toBe(400);
    expect((await call('GET', '/catalogue/products')).status).toBe(400);

    await call('POST', '/admin/reset');
    expect((await call('GET', '/catalogue/products?skus=SKU-1')).body.products).toEqual([
      { sku: 'SKU-1', priceMinor: 1_250, currency: 'EUR' },
    ]);
  });

  it('tells the platform each dispatch and delivery once, signed and in order, until it is heard', async () => {
    const secret = 'the-webhook-secret-shared-with-the-platform';
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    let outages = 1;
    const platform = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        const unknown = (JSON.parse(body) as { orderId: string }).orderId === 'o-unknown';
        response.statusCode = unknown ? 404 : outages-- > 0 ? 503 : 200;
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => platform.listen(0, '127.0.0.1', resolve));
    const webhookUrl = `http://127.0.0.1:${(platform.address() as AddressInfo).port}/hook`;
    // A second process on the same records, the one holding the secret; the suite's has none.
    const notifying = await startSimulators({
      port: 0,
      host: '127.0.0.1',
      databaseUrl,
      schema,
      fulfillmentWebhook: { url: webhookUrl, secret },
    });
    try {
      const created = await call(
        'POST',
        '/fulfillment/shipments',
        { orderId: 'o-1', lines: [{ sku: 's', quantity: 1 }] },
        key(),
      );
      const shipmentId = created.body.shipmentId as string;
      const early = await call('POST', `/fulfillment/shipments/${shipmentId}/deliver`, {}, key());
      expect(early.body.type).toBe('urn:simulators:not-dispatched');
      for (const action of ['dispatch', 'dispatch', 'deliver', 'deliver']) {
        const reply = await call(
          'POST',
          `/fulfillment/shipments/${shipmentId}/${action}`,
          {},
          key(),
        );
        expect(reply.status).toBe(200);
      }
      const cancel = await call('POST', `/fulfillment/shipments/${shipmentId}/cancel`, {}, key());
      expect(cancel.body.type).toBe('urn:simulators:already-dispatched');

      const notified = async () =>
        (await call('GET', '/fulfillment/notifications?orderId=o-1')).body as {
          kind: string;
          state: string;
          attempts: number;
        }[];
      const deadline = Date.now() + 20_000;
      while ((await notified()).some((n) => n.state !== 'delivered') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await notified()).toEqual([
        expect.objectContaining({ kind: 'dispatched', state: 'delivered', attempts: 2 }),
        expect.objectContaining({ kind: 'delivered', state: 'delivered', attempts: 1 }),
      ]);
      // The first attempt met an outage: the dispatch was sent again, before the delivery.
      expect(received.map((r) => JSON.parse(r.body).kind)).toEqual([
        'dispatched',
        'dispatched',
        'delivered',
      ]);
      for (const { headers, body } of received) {
        const timestamp = headers['x-webhook-timestamp'] as string;
        const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
        expect(headers['x-webhook-signature']).toBe(`sha256=${expected}`);
      }
      expect(JSON.parse(received[2]!.body)).toEqual({
        eventId: `${shipmentId}:delivered`,
        orderId: 'o-1',
        shipmentId,
        kind: 'delivered',
        occurredAt: expect.any(String),
      });

      // A refusal no retry changes (the platform knows no such order) is parked, not retried.
      const stray = await call(
        'POST',
        '/fulfillment/shipments',
        { orderId: 'o-unknown', lines: [{ sku: 's', quantity: 1 }] },
        key(),
      );
      await call('POST', `/fulfillment/shipments/${stray.body.shipmentId}/dispatch`, {}, key());
      const strayDeadline = Date.now() + 10_000;
      let parked: { state: string; attempts: number }[] = [];
      while (Date.now() < strayDeadline) {
        parked = (await call('GET', '/fulfillment/notifications?orderId=o-unknown')).body;
        if (parked[0]?.state === 'rejected') break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(parked).toEqual([expect.objectContaining({ state: 'rejected', attempts: 1 })]);
    } finally {
      await notifying.close();
      await new Promise((resolve) => platform.close(resolve));
    }
  });

  it('records a return parcel back once per return, only for an order that left, and outboxes it once', async () => {
    const parcel = (orderId: string, returnId: string, idempotencyKey = key()) =>
      call('POST', '/fulfillment/returns', { orderId, returnId }, idempotencyKey);
    expect((await parcel('o-none', 'return-o-none-1')).body.type).toBe('urn:simulators:not-found');
    const created = await call(
      'POST',
      '/fulfillment/shipments',
      { orderId: 'o-r', lines: [{ sku: 's', quantity: 2 }] },
      key(),
    );
    const shipmentId = created.body.shipmentId as string;
    const early = await parcel('o-r', 'return-o-r-1');
    expect(early.status).toBe(409);
    expect(early.body.type).toBe('urn:simulators:not-dispatched');

    await call('POST', `/fulfillment/shipments/${shipmentId}/dispatch`, {}, key());
    const first = await parcel('o-r', 'return-o-r-1');
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      returnId: 'return-o-r-1',
      orderId: 'o-r',
      shipmentId,
      state: 'received',
    });
    // Scanned again under another key, or replayed under the same one: still one parcel.
    expect((await parcel('o-r', 'return-o-r-1')).status).toBe(200);
    const retryKey = key();
    await parcel('o-r', 'return-o-r-2', retryKey);
    expect((await parcel('o-r', 'return-o-r-2', retryKey)).replayed).toBe(true);
    // The same return id for another order is a mistake on the floor, not a second parcel.
    const elsewhere = await call(
      'POST',
      '/fulfillment/shipments',
      { orderId: 'o-other', lines: [{ sku: 's', quantity: 1 }] },
      key(),
    );
    await call('POST', `/fulfillment/shipments/${elsewhere.body.shipmentId}/dispatch`, {}, key());
    expect((await parcel('o-other', 'return-o-r-1')).status).toBe(400);

    const parcels = (await call('GET', '/fulfillment/returns?orderId=o-r')).body as {
      returnId: string;
    }[];
    expect(parcels.map((p) => p.returnId)).toEqual(['return-o-r-1', 'return-o-r-2']);
    const notes = (await call('GET', '/fulfillment/notifications?orderId=o-r')).body as {
      eventId: string;
      kind: string;
      shipmentId: string;
    }[];
    expect(notes.map((n) => [n.eventId, n.kind, n.shipmentId])).toEqual([
      [`${shipmentId}:dispatched`, 'dispatched', shipmentId],
      ['return-o-r-1:return-received', 'return-received', shipmentId],
      ['return-o-r-2:return-received', 'return-received', shipmentId],
    ]);
  });
});
