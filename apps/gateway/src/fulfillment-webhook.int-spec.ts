/**
 * The warehouse's dispatch, the carrier's delivery and a return parcel back at the warehouse
 * reach the order by themselves: the simulated fulfilment service notifies the gateway's signed
 * webhook, and the order moves on with no signal from anyone. A forged notification changes
 * nothing, a repeated one changes nothing more, a parcel under a return the order never issued
 * is refused, and a fact that happens while the platform is down arrives once it is back.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import {
  AppsUnderTest,
  eventually,
  gatewayCall,
  simulatorCall,
  suiteEnv,
} from '@order-platform/tools';
import { tokenFor } from './testing/test-tokens';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const SHORT_RETURN_WINDOW_MS = 10_000;

describe('fulfilment facts told to the platform through its webhook', () => {
  const apps = new AppsUnderTest('fulfillment-webhook');
  const sku = `SKU-WH-${randomUUID().slice(0, 8)}`;
  let gateway: string;
  let simulators: string;
  let platformDb: PgClient;

  beforeAll(async () => {
    platformDb = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await platformDb.connect();
    // VIP orders get a return window of seconds, so a return can lapse within the suite.
    simulators = await apps.downstream({
      STAGE_POLICY_OVERRIDES: JSON.stringify({ vip: { returnWindowMs: SHORT_RETURN_WINDOW_MS } }),
    });
    gateway = await apps.start('gateway');
    await simulatorCall(simulators, 'PUT', '/fulfillment/settings', {
      webhookUrl: `${gateway}/v1/webhooks/fulfillment`,
    });
    await simulatorCall(simulators, 'PUT', '/payments/settings', {});
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 100 });
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 1200,
      currency: 'EUR',
    });
  }, 240_000);

  afterAll(async () => {
    await platformDb?.end();
    if (simulators) await simulatorCall(simulators, 'PUT', '/fulfillment/settings', {});
    await apps.stopAll();
  }, 60_000);

  async function placeReadyOrder(
    segment: 'standard' | 'vip' = 'standard',
  ): Promise<{ customer: string; orderId: string }> {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const response = await fetch(`${gateway}/v1/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await tokenFor('customer', customer, 600, segment)}`,
        'idempotency-key': randomUUID(),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        items: [{ sku, quantity: 2 }],
        shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: '12345', country: 'DE' },
      }),
    });
    expect(response.status).toBe(202);
    const { orderId } = (await response.json()) as { orderId: string };
    await statusOf(customer, orderId, 'READY_TO_SHIP');
    return { customer, orderId };
  }

  async function statusOf(customer: string, orderId: string, status: string): Promise<Json> {
    // The token's segment does not matter for reads: the order is the customer's either way.
    const token = await tokenFor('customer', customer);
    return eventually(
      `order ${orderId} to be ${status}`,
      async () => {
        const response = await fetch(`${gateway}/v1/orders/${orderId}?consistency=strong`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await response.json()) as Json;
        return body.status === status ? body : undefined;
      },
      { timeoutMs: 90_000 },
    );
  }

  async function shipmentOf(orderId: string): Promise<string> {
    return eventually(`the shipment of ${orderId}`, async () => {
      const shipments = await simulatorCall<{ shipmentId: string }[]>(
        simulators,
        'GET',
        `/fulfillment/shipments?orderId=${orderId}`,
      );
      return shipments[0]?.shipmentId;
    });
  }

  /** The warehouse floor scans a parcel back under a return authorization. */
  const parcelBack = async (orderId: string, returnId: string) => {
    const response = await fetch(`${simulators}/fulfillment/returns`, {
      method: 'POST',
      headers: { 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
      body: JSON.stringify({ orderId, returnId }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };

  /** What the warehouse floor and the carrier do: nothing here talks to the platform. */
  async function warehouse(shipmentId: string, action: 'dispatch' | 'deliver'): Promise<void> {
    const response = await fetch(`${simulators}/fulfillment/shipments/${shipmentId}/${action}`, {
      method: 'POST',
      headers: { 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
  }

  const notificationsOf = (orderId: string) =>
    simulatorCall<{ kind: string; state: string; attempts: number }[]>(
      simulators,
      'GET',
      `/fulfillment/notifications?orderId=${orderId}`,
    );

  const capturesOf = async (orderId: string) =>
    (
      await simulatorCall<{ kind: string; amountMinor: number }[]>(
        simulators,
        'GET',
        `/payments/ledger?orderId=${orderId}`,
      )
    ).filter((entry) => entry.kind === 'capture');

  /** A webhook call as the fulfilment service makes it, signed with `secret`. */
  async function notify(event: object, secret: string) {
    const body = JSON.stringify(event);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    const response = await fetch(`${gateway}/v1/webhooks/fulfillment`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-webhook-timestamp': timestamp,
        'x-webhook-signature': `sha256=${signature}`,
      },
      body,
    });
    return { status: response.status, body: (await response.json()) as Json };
  }

  it('ships and delivers the order when the warehouse dispatches and the carrier delivers', async () => {
    const { customer, orderId } = await placeReadyOrder();
    const shipmentId = await shipmentOf(orderId);

    await warehouse(shipmentId, 'dispatch');
    await statusOf(customer, orderId, 'SHIPPED');
    expect(await capturesOf(orderId)).toEqual([
      expect.objectContaining({ kind: 'capture', amountMinor: 2400 }),
    ]);

    await warehouse(shipmentId, 'deliver');
    await statusOf(customer, orderId, 'DELIVERED');
    expect(await notificationsOf(orderId)).toEqual([
      expect.objectContaining({ kind: 'dispatched', state: 'delivered' }),
      expect.objectContaining({ kind: 'delivered', state: 'delivered' }),
    ]);
    expect(await capturesOf(orderId)).toHaveLength(1);
  });

  it('refuses a forged notification and takes a repeated one once', async () => {
    const { customer, orderId } = await placeReadyOrder();
    const shipmentId = await shipmentOf(orderId);
    const event = {
      eventId: `${shipmentId}:dispatched`,
      orderId,
      shipmentId,
      kind: 'dispatched',
      occurredAt: new Date().toISOString(),
    };

    const forged = await notify(event, 'not-the-secret-but-just-as-long-as-one');
    expect(forged.status).toBe(401);
    expect(forged.body.type).toBe('urn:order-platform:problem:invalid-signature');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await statusOf(customer, orderId, 'READY_TO_SHIP')).status).toBe('READY_TO_SHIP');

    const secret = suiteEnv('GATEWAY_FULFILLMENT_WEBHOOK_SECRET');
    const invalid = await notify({ ...event, kind: 'lost' }, secret);
    expect(invalid.status).toBe(400);
    const unknown = await notify({ ...event, orderId: `no-such-${randomUUID()}` }, secret);
    expect(unknown.status).toBe(404);

    const first = await notify(event, secret);
    const again = await notify(event, secret);
    expect([first.status, again.status]).toEqual([200, 200]);
    await statusOf(customer, orderId, 'SHIPPED');
    // The warehouse's own notification of the same dispatch comes third: still one effect.
    await warehouse(shipmentId, 'dispatch');
    await eventually('the warehouse to have told the platform', async () =>
      (await notificationsOf(orderId)).some((n) => n.state === 'delivered') ? true : undefined,
    );
    expect(await capturesOf(orderId)).toEqual([
      expect.objectContaining({ kind: 'capture', amountMinor: 2400 }),
    ]);
    const shipped = await statusOf(customer, orderId, 'SHIPPED');
    expect(shipped.history.filter((h: { status: string }) => h.status === 'SHIPPED')).toHaveLength(
      1,
    );
  });

  it('tells a platform that was down when the parcel left, once it is back', async () => {
    const { customer, orderId } = await placeReadyOrder();
    const shipmentId = await shipmentOf(orderId);

    await apps.stop('gateway');
    try {
      await warehouse(shipmentId, 'dispatch');
      await eventually('a failed attempt to tell the platform', async () =>
        (await notificationsOf(orderId)).find((n) => n.attempts > 0 && n.state === 'pending'),
      );
    } finally {
      await apps.restart('gateway');
    }

    await statusOf(customer, orderId, 'SHIPPED');
    expect(await capturesOf(orderId)).toHaveLength(1);
    expect(await notificationsOf(orderId)).toEqual([
      expect.objectContaining({ kind: 'dispatched', state: 'delivered' }),
    ]);
  }, 180_000);

  it('refunds a return once the warehouse records its parcel back; a repeat or an unknown return changes nothing', async () => {
    const { customer, orderId } = await placeReadyOrder();
    const shipmentId = await shipmentOf(orderId);
    await warehouse(shipmentId, 'dispatch');
    await statusOf(customer, orderId, 'SHIPPED');
    await warehouse(shipmentId, 'deliver');
    await statusOf(customer, orderId, 'DELIVERED');

    const requested = await gatewayCall(gateway, 'POST', `/v1/orders/${orderId}/returns`, {
      token: await tokenFor('customer', customer),
      headers: { 'idempotency-key': randomUUID() },
      body: { lines: [{ sku, quantity: 1 }] },
    });
    expect(requested.status).toBe(202);
    const { returnId } = requested.body as { returnId: string };
    await statusOf(customer, orderId, 'RETURN_REQUESTED');

    // A parcel under a return this order never issued: the warehouse records it, the platform
    // refuses it for good (the notification is parked, nothing refunded).
    expect((await parcelBack(orderId, `${returnId}-forged`)).status).toBe(201);
    await eventually('the unknown return to be refused', async () =>
      (await notificationsOf(orderId)).find(
        (n) => n.kind === 'return-received' && n.state === 'rejected',
      ),
    );

    const back = await parcelBack(orderId, returnId);
    expect(back.status).toBe(201);
    const refunded = await statusOf(customer, orderId, 'REFUNDED');
    expect(refunded.returns).toEqual([
      expect.objectContaining({ returnId, state: 'refunded', refunded: 1200 }),
    ]);
    // Scanned again: recorded once by the warehouse, told once, refunded once.
    const again = await parcelBack(orderId, returnId);
    expect(again.status).toBe(200);
    const secret = suiteEnv('GATEWAY_FULFILLMENT_WEBHOOK_SECRET');
    const event = {
      eventId: `${returnId}:return-received`,
      orderId,
      shipmentId,
      kind: 'return-received',
      returnId,
      occurredAt: new Date().toISOString(),
    };
    expect(await notify(event, secret)).toEqual({
      status: 200,
      body: { eventId: event.eventId, outcome: 'already-recorded' },
    });
    const { returnId: _omitted, ...withoutReturn } = event;
    expect((await notify(withoutReturn, secret)).status).toBe(400);

    expect(await notificationsOf(orderId)).toEqual([
      expect.objectContaining({ kind: 'dispatched', state: 'delivered' }),
      expect.objectContaining({ kind: 'delivered', state: 'delivered' }),
      expect.objectContaining({ kind: 'return-received', state: 'rejected' }),
      expect.objectContaining({ kind: 'return-received', state: 'delivered' }),
    ]);
    const ledger = await simulatorCall<{ kind: string; amountMinor: number }[]>(
      simulators,
      'GET',
      `/payments/ledger?orderId=${orderId}`,
    );
    expect(ledger.map((e) => [e.kind, e.amountMinor])).toEqual([
      ['authorization', 2400],
      ['capture', 2400],
      ['refund', 1200],
    ]);
  }, 180_000);

  it('refuses a parcel that comes back after its return lapsed, and one for an order it does not know', async () => {
    const { customer, orderId } = await placeReadyOrder('vip');
    const shipmentId = await shipmentOf(orderId);
    await warehouse(shipmentId, 'dispatch');
    await statusOf(customer, orderId, 'SHIPPED');
    // Requested before the delivery, so the short window cannot close before the request.
    const requested = await gatewayCall(gateway, 'POST', `/v1/orders/${orderId}/returns`, {
      token: await tokenFor('customer', customer, 600, 'vip'),
      headers: { 'idempotency-key': randomUUID() },
      body: { lines: [{ sku, quantity: 2 }] },
    });
    expect(requested.status).toBe(202);
    const { returnId } = requested.body as { returnId: string };
    await warehouse(shipmentId, 'deliver');
    // No parcel within the window: the return lapses, and the order reads DELIVERED again.
    const lapsed = await statusOf(customer, orderId, 'DELIVERED');
    expect(lapsed.returns).toEqual([expect.objectContaining({ returnId, state: 'lapsed' })]);

    expect((await parcelBack(orderId, returnId)).status).toBe(201);
    const refused = await eventually('the late parcel to be refused', async () =>
      (await notificationsOf(orderId)).find(
        (n) => n.kind === 'return-received' && n.state === 'rejected',
      ),
    );
    expect(refused).toMatchObject({ attempts: 1 });
    const secret = suiteEnv('GATEWAY_FULFILLMENT_WEBHOOK_SECRET');
    const event = {
      eventId: `${returnId}:return-received`,
      orderId,
      shipmentId,
      kind: 'return-received',
      returnId,
      occurredAt: new Date().toISOString(),
    };
    const late = await notify(event, secret);
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({
      type: 'urn:order-platform:problem:return-lapsed',
      detail: expect.stringContaining(returnId),
    });
    // The read model a moment behind (it still shows the return awaited): the order's own word
    // (its final view, the run having ended with every return settled) refuses it all the same.
    await platformDb.query(
      `UPDATE order_status SET view = jsonb_set(view, '{returns,0,state}', '"authorized"') WHERE order_id = $1`,
      [orderId],
    );
    const behind = await notify(event, secret);
    expect(behind.status).toBe(409);
    expect(behind.body).toMatchObject({ type: 'urn:order-platform:problem:return-lapsed' });
    const unknownOrder = await notify({ ...event, orderId: `no-such-${randomUUID()}` }, secret);
    expect(unknownOrder.status).toBe(404);
    // Nothing was refunded or restocked for the late parcel.
    const ledger = await simulatorCall<{ kind: string }[]>(
      simulators,
      'GET',
      `/payments/ledger?orderId=${orderId}`,
    );
    expect(ledger.map((e) => e.kind)).toEqual(['authorization', 'capture']);
  }, 180_000);
});
