/**
 * The sample monolith as the platform will meet it: started as a process from its entry point
 * (as `npm start` runs it) against the test stack's PostgreSQL, driven over HTTP, and checked in
 * its own tables, where the legacy adapter reads it. Every test uses its own order ids, customers
 * and skus, so reruns on a shared database read only their own rows; fraud settings go back to
 * their defaults before each test.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AppsUnderTest } from '@order-platform/tools';

describe('the legacy monolith', () => {
  const apps = new AppsUnderTest('legacy-monolith');
  let url: string;
  let db: Client;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (method: string, path: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: await response.json(),
    };
  };
  const unique = (prefix: string) => `${prefix}-${randomUUID()}`;
  /** A product on the monolith's price list, with stock on hand. */
  const setStock = async (sku: string, onHand: number, priceCents: number) => {
    expect((await call('PUT', `/stock/${sku}`, { onHand })).status).toBe(200);
    expect((await call('PUT', `/products/${sku}`, { priceCents, currency: 'EUR' })).status).toBe(
      200,
    );
  };
  const stockOf = async (sku: string): Promise<number> =>
    (await call('GET', `/stock/${sku}`)).body.onHand;
  const order = (items: { sku: string; quantity: number }[], more = {}) => ({
    orderId: unique('L'),
    customerId: unique('c'),
    items,
    currency: 'EUR',
    ...more,
  });
  /** The order's outbox rows, oldest first, with the transaction that wrote each. */
  const outbox = async (orderId: string) =>
    (
      await db.query<{ type: string; payload: Record<string, unknown>; xid: string }>(
        `SELECT event_type AS type, payload, xmin::text AS xid FROM monolith.outbox
         WHERE aggregate_id = $1 ORDER BY id`,
        [orderId],
      )
    ).rows;
  const orderRowXid = async (orderId: string) =>
    (await db.query('SELECT xmin::text AS xid FROM monolith.orders WHERE order_id = $1', [orderId]))
      .rows[0]?.xid;
  const notificationsOf = async (orderId: string) =>
    (
      await db.query(
        'SELECT kind, sent_by FROM monolith.notifications WHERE order_id = $1 ORDER BY sent_at, kind',
        [orderId],
      )
    ).rows.map((row) => `${row.kind}:${row.sent_by}`);
  const paymentsOf = async (orderId: string) =>
    (await db.query('SELECT status FROM monolith.payments WHERE order_id = $1', [orderId])).rows;

  beforeAll(async () => {
    url = await apps.start('legacy-monolith');
    db = new Client({ connectionString: process.env.LEGACY_DATABASE_URL });
    await db.connect();
  }, 120_000);

  beforeEach(async () => {
    expect((await call('PUT', '/settings/fraud', {})).status).toBe(200);
    expect((await call('PUT', '/settings/handover', {})).status).toBe(200);
  });

  afterAll(async () => {
    await call('PUT', '/settings/fraud', {}).catch(() => undefined);
    await call('PUT', '/settings/handover', {}).catch(() => undefined);
    await db?.end();
    await apps.stopAll();
  }, 60_000);

  it('is ready when its database answers, and names the field it rejects', async () => {
    expect((await call('GET', '/health/ready')).body).toMatchObject({ status: 'ok' });
    const bad = await call('POST', '/orders', order([{ sku: 'x', quantity: 0 }]));
    expect(bad).toMatchObject({
      status: 400,
      contentType: 'application/problem+json',
      body: { type: 'urn:legacy-monolith:invalid-request', field: 'items[0].quantity' },
    });
    expect((await call('GET', `/orders/${unique('L')}`)).status).toBe(404);
  });

  it('prices every order from its own price list, and charges expedited shipping', async () => {
    const [book, import_] = [unique('book'), unique('import')];
    await setStock(book, 10, 2_000);
    await setStock(import_, 10, 2_000);
    await call('PUT', `/products/${import_}`, { priceCents: 2_000, currency: 'USD' });
    const refused = async (items: unknown[], field: string) =>
      expect(await call('POST', '/orders', order(items as never))).toMatchObject({
        status: 400,
        body: { type: 'urn:legacy-monolith:invalid-request', field },
      });
    await refused([{ sku: book, quantity: 1, unitPriceCents: 1 }], 'items[0].unitPriceCents');
    await refused(
      [
        { sku: book, quantity: 1 },
        { sku: unique('nothing'), quantity: 1 },
      ],
      'items[1].sku',
    );
    await refused(
      [
        { sku: book, quantity: 1 },
        { sku: import_, quantity: 1 },
      ],
      'items[1].sku',
    );
    expect(await stockOf(book)).toBe(10);

    const expedited = order([{ sku: book, quantity: 2 }], { expedited: true });
    expect((await call('POST', '/orders', expedited)).status).toBe(201);
    expect((await call('GET', `/orders/${expedited.orderId}`)).body).toMatchObject({
      totalCents: 4_900,
      expedited: true,
      payment: { amountCents: 4_900 },
      lines: [expect.objectContaining({ sku: book, quantity: 2, unitPriceCents: 2_000 })],
    });
  });

  it('accepts an order in one transaction: stock taken, payment authorized, five events', async () => {
    const [apple, pear] = [unique('apple'), unique('pear')];
    await setStock(apple, 10, 1_250);
    await setStock(pear, 5, 500);
    const placed = order([
      { sku: apple, quantity: 2 },
      { sku: pear, quantity: 1 },
      { sku: apple, quantity: 1 },
    ]);

    const response = await call('POST', '/orders', placed);
    expect(response).toMatchObject({
      status: 201,
      body: { orderId: placed.orderId, status: 'ACCEPTED' },
    });
    expect([await stockOf(apple), await stockOf(pear)]).toEqual([7, 4]);

    const stored = (await call('GET', `/orders/${placed.orderId}`)).body;
    expect(stored).toMatchObject({
      status: 'ACCEPTED',
      fraudDecision: 'APPROVED',
      fraudDecidedBy: 'rules',
      totalCents: 4_250,
      version: 1,
      payment: { amountCents: 4_250, currency: 'EUR', status: 'AUTHORIZED' },
    });
    expect(stored.lines).toHaveLength(3);
    expect(stored.paymentAuthId).toMatch(/^auth-/);

    const events = await outbox(placed.orderId);
    expect(events.map((e) => e.type)).toEqual([
      'OrderPlaced',
      'FraudDecided',
      'StockReserved',
      'PaymentAuthorized',
      'OrderAccepted',
      'CustomerNotified',
    ]);
    // xmin is the transaction that wrote a row: the order and all its events committed together.
    expect(new Set(events.map((e) => e.xid))).toEqual(new Set([await orderRowXid(placed.orderId)]));
    expect(events.map((e) => e.payload)).toMatchObject([
      { orderId: placed.orderId, totalCents: 4_250, status: 'PENDING_FRAUD', expedited: false },
      { decision: 'APPROVED', decidedBy: 'rules', score: expect.any(Number) },
      {
        lines: [
          { sku: apple, quantity: 3 },
          { sku: pear, quantity: 1 },
        ],
      },
      { authId: stored.paymentAuthId, amountCents: 4_250, currency: 'EUR' },
      { orderId: placed.orderId },
      { orderId: placed.orderId, kind: 'confirmed', sentBy: 'monolith', reference: null },
    ]);
  });

  it('out of stock rolls everything back: no order, no events, no stock taken', async () => {
    const [plenty, scarce] = [unique('plenty'), unique('scarce')];
    await setStock(plenty, 10, 100);
    await setStock(scarce, 1, 100);
    const placed = order([
      { sku: plenty, quantity: 2 },
      { sku: scarce, quantity: 2 },
    ]);

    const response = await call('POST', '/orders', placed);
    expect(response).toMatchObject({
      status: 409,
      body: {
        type: 'urn:legacy-monolith:out-of-stock',
        shortages: [{ sku: scarce, requested: 2, available: 1 }],
      },
    });
    expect((await call('GET', `/orders/${placed.orderId}`)).status).toBe(404);
    expect(await outbox(placed.orderId)).toEqual([]);
    expect(await paymentsOf(placed.orderId)).toEqual([]);
    expect([await stockOf(plenty), await stockOf(scarce)]).toEqual([10, 1]);
  });

  it('a rejected order touches no stock and no payment', async () => {
    const [sku, radio] = [unique('tv'), unique('radio')];
    await setStock(sku, 5, 600_000);
    await setStock(radio, 5, 100);
    const expensive = order([{ sku, quantity: 1 }]);
    expect((await call('POST', '/orders', expensive)).body.status).toBe('REJECTED');
    expect((await outbox(expensive.orderId)).map((e) => [e.type, e.payload])).toEqual([
      ['OrderPlaced', expect.objectContaining({ status: 'PENDING_FRAUD' })],
      ['FraudDecided', expect.objectContaining({ decision: 'REJECTED', decidedBy: 'rules' })],
      ['OrderRejected', { orderId: expensive.orderId, reason: expect.stringContaining('500000') }],
      [
        'CustomerNotified',
        { orderId: expensive.orderId, kind: 'rejected', sentBy: 'monolith', reference: null },
      ],
    ]);

    const blocked = order([{ sku: radio, quantity: 1 }]);
    await call('PUT', '/settings/fraud', { blockedCustomers: [blocked.customerId] });
    expect((await call('POST', '/orders', blocked)).body.status).toBe('REJECTED');

    expect([await stockOf(sku), await stockOf(radio)]).toEqual([5, 5]);
    expect(await paymentsOf(expensive.orderId)).toEqual([]);
    expect(await paymentsOf(blocked.orderId)).toEqual([]);
  });

  it('deferred to the platform, an order waits in PENDING_FRAUD and continues on its decision', async () => {
    const sku = unique('lamp');
    await setStock(sku, 5, 1_000);
    await call('PUT', '/settings/fraud', { deferToPlatform: true });
    const approved = order([{ sku, quantity: 2 }]);
    const rejected = order([{ sku, quantity: 1 }]);
    for (const placed of [approved, rejected]) {
      expect((await call('POST', '/orders', placed)).body.status).toBe('PENDING_FRAUD');
      expect((await outbox(placed.orderId)).map((e) => e.type)).toEqual(['OrderPlaced']);
    }
    expect(await stockOf(sku)).toBe(5);

    const decide = (orderId: string, decision: string) =>
      call('POST', `/orders/${orderId}/fraud-decision`, { decision, reference: 'wf-1' });
    expect((await decide(approved.orderId, 'approve')).body.status).toBe('ACCEPTED');
    expect(await stockOf(sku)).toBe(3);
    expect((await call('GET', `/orders/${approved.orderId}`)).body).toMatchObject({
      status: 'ACCEPTED',
      fraudDecidedBy: 'external',
      version: 2,
      payment: { status: 'AUTHORIZED' },
    });
    const events = await outbox(approved.orderId);
    expect(events.map((e) => e.type)).toEqual([
      'OrderPlaced',
      'FraudDecided',
      'StockReserved',
      'PaymentAuthorized',
      'OrderAccepted',
      'CustomerNotified',
    ]);
    expect(events[1]!.payload).toMatchObject({ decision: 'APPROVED', decidedBy: 'external' });
    // The decision's events share the transaction that updated the order.
    const decisionXid = await orderRowXid(approved.orderId);
    expect(events.slice(1).every((e) => e.xid === decisionXid)).toBe(true);

    expect((await decide(rejected.orderId, 'reject')).body.status).toBe('REJECTED');
    expect((await outbox(rejected.orderId)).map((e) => e.type)).toEqual([
      'OrderPlaced',
      'FraudDecided',
      'OrderRejected',
      'CustomerNotified',
    ]);
    expect(await stockOf(sku)).toBe(3);
    expect(await decide(rejected.orderId, 'approve')).toMatchObject({
      status: 409,
      body: { type: 'urn:legacy-monolith:invalid-transition', orderStatus: 'REJECTED' },
    });
  });

  it('the divergence setting makes the monolith rule differently on purpose', async () => {
    const sku = unique('chair');
    await setStock(sku, 5, 5_000);
    const items = [{ sku, quantity: 1 }];
    const settings = { divergence: { rejectAboveCents: 1_000 } };
    expect((await call('PUT', '/settings/fraud', settings)).body).toMatchObject(settings);
    expect((await call('GET', '/settings')).body.fraud).toMatchObject({
      rejectAboveCents: 500_000,
      ...settings,
    });
    expect((await call('POST', '/orders', order(items))).body.status).toBe('REJECTED');

    await call('PUT', '/settings/fraud', {});
    expect((await call('GET', '/settings')).body.fraud.divergence).toBeNull();
    expect((await call('POST', '/orders', order(items))).body.status).toBe('ACCEPTED');
  });

  it('cancelling gives the stock back and voids the payment; after shipping it is refused', async () => {
    const sku = unique('desk');
    await setStock(sku, 5, 1_000);
    const cancelled = order([{ sku, quantity: 2 }]);
    await call('POST', '/orders', cancelled);
    expect(await stockOf(sku)).toBe(3);
    const cancel = (orderId: string) =>
      call('POST', `/orders/${orderId}/cancel`, { reason: 'customer changed their mind' });
    expect((await cancel(cancelled.orderId)).body.status).toBe('CANCELLED');
    expect(await stockOf(sku)).toBe(5);
    expect(await paymentsOf(cancelled.orderId)).toEqual([{ status: 'VOIDED' }]);
    // After the placement's five events and its confirmation.
    expect((await outbox(cancelled.orderId)).slice(6).map((e) => [e.type, e.payload.kind])).toEqual(
      [
        ['OrderCancelled', undefined],
        ['StockReleased', undefined],
        ['PaymentVoided', undefined],
        ['CustomerNotified', 'cancelled'],
      ],
    );
    expect((await cancel(cancelled.orderId)).status).toBe(409);

    const shipped = order([{ sku, quantity: 1 }]);
    await call('POST', '/orders', shipped);
    expect((await call('POST', `/orders/${shipped.orderId}/deliver`)).status).toBe(409);
    expect((await call('POST', `/orders/${shipped.orderId}/ship`)).body.status).toBe('SHIPPED');
    expect(await paymentsOf(shipped.orderId)).toEqual([{ status: 'AUTHORIZED' }]);
    expect(await cancel(shipped.orderId)).toMatchObject({
      status: 409,
      body: { orderStatus: 'SHIPPED' },
    });
    expect(await stockOf(sku)).toBe(4);
  });

  it('delivering captures the payment', async () => {
    const sku = unique('sofa');
    await setStock(sku, 1, 9_900);
    const placed = order([{ sku, quantity: 1 }]);
    await call('POST', '/orders', placed);
    await call('POST', `/orders/${placed.orderId}/ship`);
    expect((await call('POST', `/orders/${placed.orderId}/deliver`)).body.status).toBe('DELIVERED');
    expect((await call('GET', `/orders/${placed.orderId}`)).body).toMatchObject({
      status: 'DELIVERED',
      version: 3,
      payment: { status: 'CAPTURED', amountCents: 9_900 },
    });
    const told = (kind: string) => [
      'CustomerNotified',
      { orderId: placed.orderId, kind, sentBy: 'monolith', reference: null },
    ];
    expect((await outbox(placed.orderId)).slice(5).map((e) => [e.type, e.payload])).toEqual([
      told('confirmed'),
      ['OrderShipped', { orderId: placed.orderId }],
      told('shipped'),
      [
        'PaymentCaptured',
        { orderId: placed.orderId, authId: expect.stringMatching(/^auth-/), amountCents: 9_900 },
      ],
      ['OrderDelivered', { orderId: placed.orderId }],
      told('delivered'),
    ]);
  });

  it('never oversells: concurrent orders take exactly the stock there is', async () => {
    const sku = unique('last-units');
    await setStock(sku, 3, 100);
    const attempts = await Promise.all(
      Array.from({ length: 8 }, () => call('POST', '/orders', order([{ sku, quantity: 1 }]))),
    );
    expect(attempts.map((a) => a.status).sort()).toEqual([201, 201, 201, 409, 409, 409, 409, 409]);
    expect(await stockOf(sku)).toBe(0);
  });

  it('refuses a second order with the same id', async () => {
    const sku = unique('pen');
    await setStock(sku, 5, 100);
    const placed = order([{ sku, quantity: 1 }]);
    expect((await call('POST', '/orders', placed)).status).toBe(201);
    expect((await call('POST', '/orders', placed)).body.type).toBe(
      'urn:legacy-monolith:order-exists',
    );
    expect(await stockOf(sku)).toBe(4);
  });

  it('tells its customers itself, once per change, when notifications stay with it', async () => {
    const sku = unique('mug');
    await setStock(sku, 5, 1_000);
    const placed = order([{ sku, quantity: 1 }]);
    await call('POST', '/orders', placed);
    await call('POST', `/orders/${placed.orderId}/ship`);
    await call('POST', `/orders/${placed.orderId}/deliver`);
    expect(await notificationsOf(placed.orderId)).toEqual([
      'confirmed:monolith',
      'shipped:monolith',
      'delivered:monolith',
    ]);
    // The platform may not record a notification for an order the monolith tells itself.
    expect(
      await call('POST', `/orders/${placed.orderId}/notifications`, { kind: 'confirmed' }),
    ).toMatchObject({ status: 409, body: { type: 'urn:legacy-monolith:not-handed-over' } });
  });

  it('hands every stage over: it records the platform’s outcomes and decides, takes and tells nothing itself', async () => {
    const sku = unique('kettle');
    await setStock(sku, 5, 1_000);
    const all = { fraud: 100, inventory: 100, payment: 100, fulfilment: 100, notification: 100 };
    expect(await call('PUT', '/settings/handover', { ...all, billing: 5 })).toMatchObject({
      status: 400,
      body: { field: 'billing' },
    });
    expect((await call('PUT', '/settings/handover', all)).status).toBe(200);
    const placed = order([{ sku, quantity: 2 }]);
    const { orderId } = placed;
    expect((await call('POST', '/orders', placed)).body.status).toBe('PENDING_FRAUD');
    expect((await outbox(orderId))[0]!.payload).toMatchObject({
      handedOver: ['fraud', 'inventory', 'payment', 'fulfilment', 'notification'],
    });
    const post = (path: string, body: unknown) => call('POST', `/orders/${orderId}/${path}`, body);
    expect((await post('fraud-decision', { decision: 'approve' })).body.status).toBe(
      'PENDING_STOCK',
    );
    expect(await stockOf(sku)).toBe(5);
    const reservation = { reservationId: 'res-1' };
    expect((await post('stock-reservation', reservation)).body.status).toBe('PENDING_PAYMENT');
    // Told again (a retry of the platform's call): the same answer, recorded once.
    expect((await post('stock-reservation', reservation)).body.status).toBe('PENDING_PAYMENT');
    expect(await stockOf(sku)).toBe(5);
    expect(
      await post('payment-authorization', { paymentReference: 'pay-1', amountCents: 1 }),
    ).toMatchObject({ status: 400, body: { field: 'amountCents' } });
    const payment = { paymentReference: 'pay-1', amountCents: 2_000 };
    expect((await post('payment-authorization', payment)).body.status).toBe('ACCEPTED');
    expect((await post('payment-authorization', payment)).body.status).toBe('ACCEPTED');
    expect(await post('ship', undefined)).toMatchObject({
      status: 409,
      body: { type: 'urn:legacy-monolith:handed-over', stage: 'fulfilment' },
    });
    expect((await post('shipment', { shipmentId: 'shp-1', state: 'dispatched' })).body.status).toBe(
      'SHIPPED',
    );
    expect((await post('shipment', { shipmentId: 'shp-1', state: 'delivered' })).body.status).toBe(
      'DELIVERED',
    );
    for (const kind of ['confirmed', 'shipped', 'delivered', 'delivered']) {
      expect((await post('notifications', { kind, reference: `n-${kind}` })).status).toBe(200);
    }
    expect((await call('GET', `/orders/${orderId}`)).body).toMatchObject({
      status: 'DELIVERED',
      fraudDecidedBy: 'external',
      stockHeldBy: 'platform',
      stockReservationId: 'res-1',
      shipmentId: 'shp-1',
      // The platform holds and captures the money: the monolith recorded its reference only.
      payment: { authId: 'pay-1', heldBy: 'platform', status: 'AUTHORIZED' },
    });
    expect(await stockOf(sku)).toBe(5);
    expect(await notificationsOf(orderId)).toEqual([
      'confirmed:platform',
      'shipped:platform',
      'delivered:platform',
    ]);
    expect((await outbox(orderId)).map((e) => e.type)).toEqual([
      'OrderPlaced',
      'FraudDecided',
      'StockReserved',
      'PaymentAuthorized',
      'OrderAccepted',
      'OrderShipped',
      'OrderDelivered',
      // Told by the platform, recorded once per kind (the repeat wrote nothing).
      'CustomerNotified',
      'CustomerNotified',
      'CustomerNotified',
    ]);
  });

  it('cancels an order whose handed-over stage the platform failed, with the reason, once', async () => {
    const sku = unique('toaster');
    await setStock(sku, 10, 1_000);
    expect(
      (await call('PUT', '/settings/handover', { inventory: 100, fulfilment: 100 })).status,
    ).toBe(200);
    const place = async () => {
      const placed = order([{ sku, quantity: 2 }]);
      expect((await call('POST', '/orders', placed)).body.status).toBe('PENDING_STOCK');
      const post = (path: string, body: unknown) =>
        call('POST', `/orders/${placed.orderId}/${path}`, body);
      return { orderId: placed.orderId, post };
    };

    // The platform could not hold the stock (its warehouse refused the allocation).
    const first = await place();
    expect(await first.post('stock-reservation', { outcome: 'failed' })).toMatchObject({
      status: 400,
      body: { field: 'reason' },
    });
    const failedStock = { outcome: 'failed', reason: 'allocateInventory failed: 422' };
    expect((await first.post('stock-reservation', failedStock)).body.status).toBe('CANCELLED');
    // Told again (a retry of the platform's call): the same answer, recorded once.
    expect((await first.post('stock-reservation', failedStock)).body.status).toBe('CANCELLED');
    expect((await call('GET', `/orders/${first.orderId}`)).body).toMatchObject({
      status: 'CANCELLED',
      endedReason: 'platform inventory failed: allocateInventory failed: 422',
      stockHeldBy: null,
    });
    // The order's facts, and the customer told of the cancel (the monolith owns notifications).
    expect((await outbox(first.orderId)).map((e) => e.type)).toEqual([
      'OrderPlaced',
      'FraudDecided',
      'OrderCancelled',
      'CustomerNotified',
    ]);
    expect(
      (await outbox(first.orderId)).find((e) => e.type === 'OrderCancelled')!.payload,
    ).toMatchObject({
      reason: 'platform inventory failed: allocateInventory failed: 422',
    });
    expect(await notificationsOf(first.orderId)).toEqual(['cancelled:monolith']);
    expect(await stockOf(sku)).toBe(10);

    // The platform reserved, the monolith authorized its own payment, then the platform could
    // not create the shipment: the monolith voids its own payment and leaves the stock alone.
    const second = await place();
    expect((await second.post('stock-reservation', { reservationId: 'res-2' })).body.status).toBe(
      'ACCEPTED',
    );
    expect(await paymentsOf(second.orderId)).toEqual([{ status: 'AUTHORIZED' }]);
    const failedShipment = { state: 'failed', reason: 'createShipment failed: 422 refused' };
    expect((await second.post('shipment', failedShipment)).body.status).toBe('CANCELLED');
    expect((await second.post('shipment', failedShipment)).body.status).toBe('CANCELLED');
    expect(await paymentsOf(second.orderId)).toEqual([{ status: 'VOIDED' }]);
    expect(
      (await outbox(second.orderId))
        .map((e) => e.type)
        .filter((type) => type !== 'CustomerNotified')
        .slice(-2),
    ).toEqual(['OrderCancelled', 'PaymentVoided']);
    expect(await notificationsOf(second.orderId)).toEqual([
      'confirmed:monolith',
      'cancelled:monolith',
    ]);
    expect(await stockOf(sku)).toBe(10);
    // A different failure, or a dispatch, for an order that has ended: refused, nothing changes.
    expect(
      await second.post('shipment', { state: 'failed', reason: 'something else' }),
    ).toMatchObject({ status: 409, body: { type: 'urn:legacy-monolith:invalid-transition' } });
    expect(
      await second.post('shipment', { shipmentId: 'shp-2', state: 'dispatched' }),
    ).toMatchObject({ status: 409 });
    expect((await call('GET', `/orders/${second.orderId}`)).body.status).toBe('CANCELLED');
  });

  it('ramps a hand-over sticky per order, and puts back only its own stock when the platform declines', async () => {
    const sku = unique('pan');
    await setStock(sku, 100, 1_000);
    await call('PUT', '/settings/handover', { payment: 50 });
    const placed = [];
    for (let i = 0; i < 30; i += 1) {
      const next = order([{ sku, quantity: 1 }]);
      placed.push({ ...next, status: (await call('POST', '/orders', next)).body.status });
    }
    const waiting = placed.filter((p) => p.status === 'PENDING_PAYMENT');
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.length).toBeLessThan(30);
    expect(placed.every((p) => ['PENDING_PAYMENT', 'ACCEPTED'].includes(p.status))).toBe(true);
    // Every order took its stock here (inventory stays with the monolith).
    expect(await stockOf(sku)).toBe(70);
    const declined = waiting[0]!.orderId;
    expect(
      (await call('POST', `/orders/${declined}/payment-authorization`, { outcome: 'declined' }))
        .body.status,
    ).toBe('REJECTED');
    expect(await stockOf(sku)).toBe(71);
    expect(await paymentsOf(declined)).toEqual([]);
    expect(await notificationsOf(declined)).toEqual(['rejected:monolith']);
    // Cancelling one still waiting: the monolith's stock back, no money anywhere.
    if (waiting[1]) {
      await call('POST', `/orders/${waiting[1].orderId}/cancel`, { reason: 'changed mind' });
      expect(await stockOf(sku)).toBe(72);
      expect(await notificationsOf(waiting[1].orderId)).toEqual(['cancelled:monolith']);
    }
  });
});
