/**
 * Handing every stage over, on the real stack: the sample monolith hands inventory, payment,
 * fulfilment and notifications over (its `handover` settings, kept to the routes by the legacy
 * adapter's hand-over sync), the platform
 * acts once on its simulators and tells the monolith, which records each outcome without acting;
 * the dependency guard refuses a split commitment; a rollback mid-traffic moves new orders only.
 */
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import {
  AppsUnderTest,
  simulatorCall,
  suiteEnv,
  dropReplicationSlot,
  monolithCall as monolithCallAt,
  eventually,
} from '@order-platform/tools';
import {
  checkStageDependencies,
  type MigrationRoute,
  type MigrationStage,
} from '@order-platform/domain';
import { tokenFor } from './testing/test-tokens';

interface MonolithOrder {
  status: string;
  stockHeldBy: string | null;
  stockReservationId: string | null;
  shipmentId: string | null;
  handedOver: string[];
  payment: { authId: string; heldBy: string; status: string } | null;
  notifications: { kind: string; sentBy: string }[];
}

// A shared machine may be slow: each journey waits on three apps and two simulators.
jest.setTimeout(300_000);

describe('handing every stage of the monolith over to the platform', () => {
  const apps = new AppsUnderTest('strangler-stages');
  const suffix = randomUUID().slice(0, 8);
  const slot = `strangler_stages_${suffix}`;
  const sku = `SKU-STG-${suffix}`;
  let monolith: string;
  let simulators: string;
  let gateway: string;
  let platformDb: PgClient;

  beforeAll(async () => {
    monolith = await apps.start('legacy-monolith');
    simulators = await apps.downstream({ MONOLITH_URL: monolith });
    await apps.start('legacy-adapter', 'legacy-adapter', {
      MIRROR_SOURCE: 'cdc',
      MIRROR_SLOT: slot,
      MIRROR_PUBLICATION: slot,
      COMPARATOR_GRACE_MS: '3000',
      HANDOVER_SYNC: 'on',
      MONOLITH_URL: monolith,
      HANDOVER_SYNC_INTERVAL_MS: '200',
    });
    gateway = await apps.start('gateway');
    // The warehouse tells the platform of its parcels through the gateway's webhook.
    await simulatorCall(simulators, 'PUT', '/fulfillment/settings', {
      webhookUrl: `${gateway}/v1/webhooks/fulfillment`,
    });
    await simulatorCall(simulators, 'PUT', '/fraud/settings', {});
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 1000 });
    await monolithCall('PUT', `/stock/${sku}`, { onHand: 1000 });
    await monolithCall('PUT', `/products/${sku}`, { priceCents: 4200, currency: 'EUR' });
    await monolithCall('PUT', '/settings/fraud', {});
    await monolithCall('PUT', '/settings/handover', {});
    platformDb = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await platformDb.connect();
    await platformDb.query(`UPDATE stage_route SET mode = 'legacy', new_percent = 100`);
  }, 300_000);

  afterAll(async () => {
    // The adapter first: its hand-over sync could otherwise write the routes it read just before
    // the reset back into the monolith, which would then defer stages for the suites after this.
    await apps.stop('legacy-adapter').catch(() => undefined);
    await platformDb?.query(`UPDATE stage_route SET mode = 'legacy', new_percent = 100`);
    await monolithCall('PUT', '/settings/handover', {}).catch(() => undefined);
    if (simulators)
      await simulatorCall(simulators, 'PUT', '/fulfillment/settings', {}).catch(() => undefined);
    await apps.stopAll();
    await dropReplicationSlot(slot).catch(() => undefined);
    await platformDb?.end();
  }, 60_000);

  const monolithCall = (method: string, path: string, body?: unknown) =>
    monolithCallAt(monolith, method, path, body);

  async function place(): Promise<{ orderId: string; customerId: string }> {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    const reply = await monolithCall('POST', '/orders', {
      customerId,
      items: [{ sku, quantity: 2 }],
    });
    return { orderId: reply.orderId as string, customerId };
  }

  const monolithOrder = async (orderId: string) =>
    (await monolithCall('GET', `/orders/${orderId}`)) as unknown as MonolithOrder;

  const monolithOrderReaches = (orderId: string, status: string) =>
    eventually(
      `${orderId} ${status} in the monolith`,
      async () => {
        const order = await monolithOrder(orderId);
        return order.status === status ? order : undefined;
      },
      { timeoutMs: 90_000 },
    );

  /** Waits until the sync has set the monolith's hand-over to `shares` (others 0). */
  const handoverIs = (shares: Record<string, number>) =>
    eventually(`the monolith's hand-over at ${JSON.stringify(shares)}`, async () => {
      const { handover } = (await monolithCall('GET', '/settings')) as {
        handover: Record<string, number>;
      };
      const wanted: Record<string, number> = {
        fraud: 0,
        inventory: 0,
        payment: 0,
        fulfilment: 0,
        notification: 0,
        ...shares,
      };
      return Object.entries(wanted).every(([stage, share]) => handover[stage] === share)
        ? handover
        : undefined;
    });

  async function route(stage: string, body: Record<string, unknown>) {
    const response = await fetch(`${gateway}/v1/ops/routing/${stage}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${await tokenFor('operator', 'ops-stages')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Legacy to shadow to new, past the promotion guard with a stated reason (a small sample). */
  async function promote(stage: string) {
    expect((await route(stage, { mode: 'shadow', reason: 'compare first' })).status).toBe(200);
    const promoted = await route(stage, {
      mode: 'new',
      reason: 'take it over',
      overrideReason: 'test: small sample',
    });
    expect(promoted).toMatchObject({ status: 200 });
  }

  const platformSideEffects = async (orderId: string) => ({
    ledger: (
      await simulatorCall<{ kind: string }[]>(
        simulators,
        'GET',
        `/payments/ledger?orderId=${orderId}`,
      )
    ).map((entry) => entry.kind),
    reservations: (
      await simulatorCall<{ state: string }[]>(
        simulators,
        'GET',
        `/warehouse/reservations?orderId=${orderId}`,
      )
    ).map((reservation) => reservation.state),
    shipments: (
      await simulatorCall<{ shipmentId: string; state: string }[]>(
        simulators,
        'GET',
        `/fulfillment/shipments?orderId=${orderId}`,
      )
    ).map((shipment) => shipment.state),
    notifications: (
      await simulatorCall<{ kind: string }[]>(
        simulators,
        'GET',
        `/notifications?orderId=${orderId}`,
      )
    ).map((notification) => notification.kind),
  });

  /** The notification stage's verdicts of an order, one per kind, once all three are judged. */
  const notificationVerdicts = (orderId: string) =>
    eventually(`the notification verdicts of ${orderId}`, async () => {
      const { rows } = await platformDb.query<{ subject: string; outcome: string }>(
        `SELECT subject, outcome FROM stage_comparison
          WHERE order_id = $1 AND stage = 'notification' AND outcome <> 'pending' ORDER BY subject`,
        [orderId],
      );
      return rows.length === 3 ? rows.map((row) => `${row.subject}:${row.outcome}`) : undefined;
    });

  const stockInMonolith = async () =>
    ((await monolithCall('GET', `/stock/${sku}`)) as { onHand: number }).onHand;

  it('refuses a route that would split a commitment between the two systems, with the reason', async () => {
    const refused = await route('fulfilment', {
      mode: 'new',
      reason: 'ship from the platform',
      overrideReason: 'no override helps here',
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      type: 'urn:order-platform:problem:stage-dependency',
      detail: expect.stringContaining('needs inventory new at 100 %'),
    });
    const audited = await platformDb.query(
      `SELECT 1 FROM operator_audit WHERE action = 'routing-change' AND subject = 'fulfilment'
         AND operator_id = 'ops-stages'`,
    );
    expect(audited.rowCount).toBe(0);
  });

  it('under shadow, the platform decides beside the monolith with no side effect of its own', async () => {
    for (const stage of ['inventory', 'payment', 'fulfilment', 'notification']) {
      expect((await route(stage, { mode: 'shadow', reason: 'compare first' })).status).toBe(200);
    }
    const { orderId } = await place();
    const accepted = await monolithOrderReaches(orderId, 'ACCEPTED');
    expect(accepted).toMatchObject({ handedOver: [], stockHeldBy: 'monolith' });
    await monolithCall('POST', `/orders/${orderId}/ship`);
    await monolithCall('POST', `/orders/${orderId}/deliver`);
    const delivered = await monolithOrderReaches(orderId, 'DELIVERED');
    expect(delivered.notifications.map((n) => `${n.kind}:${n.sentBy}`)).toEqual([
      'confirmed:monolith',
      'shipped:monolith',
      'delivered:monolith',
    ]);
    await eventually('the comparator’s verdicts', async () => {
      const { rows } = await platformDb.query(
        `SELECT stage FROM stage_comparison WHERE order_id = $1 AND outcome = 'match'`,
        [orderId],
      );
      return rows.length >= 2 ? rows : undefined;
    });
    // Each notification the monolith sent is matched with the one the platform would have sent.
    expect(await notificationVerdicts(orderId)).toEqual([
      'confirmed:match',
      'delivered:match',
      'shipped:match',
    ]);
    expect(await platformSideEffects(orderId)).toEqual({
      ledger: [],
      reservations: [],
      shipments: [],
      notifications: [],
    });
  });

  it('under new, every stage acts once on the platform and the monolith records it without acting', async () => {
    for (const stage of ['inventory', 'payment', 'notification']) await promote(stage);
    // Inventory and payment now belong to the platform for every order: fulfilment may follow.
    await promote('fulfilment');
    // One routing change per stage moves the monolith too: the sync hands the stages over.
    await handoverIs({ inventory: 100, payment: 100, fulfilment: 100, notification: 100 });
    const stockBefore = await stockInMonolith();
    const { orderId, customerId } = await place();
    const accepted = await monolithOrderReaches(orderId, 'ACCEPTED');
    expect(accepted).toMatchObject({
      handedOver: ['inventory', 'payment', 'fulfilment', 'notification'],
      stockHeldBy: 'platform',
      stockReservationId: expect.any(String),
      payment: { heldBy: 'platform', status: 'AUTHORIZED' },
    });
    expect(await stockInMonolith()).toBe(stockBefore);
    // The monolith's own shipping desk is refused: the platform ships this order.
    await expect(monolithCall('POST', `/orders/${orderId}/ship`)).rejects.toThrow(
      /409.*handed-over/,
    );

    const [shipment] = await eventually('the platform’s shipment', async () => {
      const shipments = await simulatorCall<{ shipmentId: string }[]>(
        simulators,
        'GET',
        `/fulfillment/shipments?orderId=${orderId}`,
      );
      return shipments.length > 0 ? shipments : undefined;
    });
    for (const step of ['dispatch', 'deliver']) {
      const response = await fetch(
        `${simulators}/fulfillment/shipments/${shipment!.shipmentId}/${step}`,
        { method: 'POST', headers: { 'idempotency-key': randomUUID() } },
      );
      expect(response.status).toBe(200);
      if (step === 'dispatch') await monolithOrderReaches(orderId, 'SHIPPED');
    }
    const delivered = await monolithOrderReaches(orderId, 'DELIVERED');
    expect(delivered.shipmentId).toBe(shipment!.shipmentId);
    const told = await eventually('the delivery told', async () => {
      const order = await monolithOrder(orderId);
      return order.notifications.length === 3 ? order.notifications : undefined;
    });
    // Told by the platform only, once per change; the monolith stayed silent.
    expect(told.map((n) => `${n.kind}:${n.sentBy}`)).toEqual([
      'confirmed:platform',
      'shipped:platform',
      'delivered:platform',
    ]);
    // What the monolith recorded as the platform's matches what the platform says it sent.
    expect(await notificationVerdicts(orderId)).toEqual([
      'confirmed:match',
      'delivered:match',
      'shipped:match',
    ]);
    expect(await platformSideEffects(orderId)).toEqual({
      ledger: ['authorization', 'capture'],
      reservations: ['allocated'],
      shipments: ['delivered'],
      notifications: ['confirmed', 'shipped', 'delivered'],
    });
    // The monolith captured nothing itself, and the customer reads the truth through the gateway.
    expect((await monolithOrder(orderId)).payment).toMatchObject({ status: 'AUTHORIZED' });
    const token = await tokenFor('customer', customerId);
    await eventually('DELIVERED through the gateway', async () => {
      const response = await fetch(`${gateway}/v1/orders/${orderId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as { status?: string };
      return body.status === 'DELIVERED' ? body : undefined;
    });
    expect(await stockInMonolith()).toBe(stockBefore);
  });

  it('rolled back mid-traffic, orders already under new finish under new and new orders go back', async () => {
    // Fulfilment first: the guard refuses rolling payment back under a new fulfilment.
    const refused = await route('payment', { mode: 'legacy', reason: 'roll back' });
    expect(refused).toMatchObject({
      status: 409,
      body: { type: 'urn:order-platform:problem:stage-dependency' },
    });
    expect((await route('fulfilment', { mode: 'legacy', reason: 'roll back' })).status).toBe(200);
    await handoverIs({ inventory: 100, payment: 100, notification: 100 });

    const inFlight = await place();
    // Rolled back while the platform is still working on it.
    expect((await route('payment', { mode: 'legacy', reason: 'roll back' })).status).toBe(200);
    await handoverIs({ inventory: 100, notification: 100 });
    const after = await place();

    const first = await monolithOrderReaches(inFlight.orderId, 'ACCEPTED');
    expect(first).toMatchObject({
      handedOver: ['inventory', 'payment', 'notification'],
      payment: { heldBy: 'platform' },
    });
    const second = await monolithOrderReaches(after.orderId, 'ACCEPTED');
    expect(second).toMatchObject({
      handedOver: ['inventory', 'notification'],
      payment: { heldBy: 'monolith' },
    });
    expect((await platformSideEffects(inFlight.orderId)).ledger).toEqual(['authorization']);
    expect((await platformSideEffects(after.orderId)).ledger).toEqual([]);

    // The monolith ships both: the platform captures the authorization it holds, once.
    for (const { orderId } of [inFlight, after]) {
      await monolithCall('POST', `/orders/${orderId}/ship`);
    }
    await eventually('the platform’s capture', async () => {
      const { ledger } = await platformSideEffects(inFlight.orderId);
      return ledger.includes('capture') ? ledger : undefined;
    });
    expect((await platformSideEffects(inFlight.orderId)).ledger).toEqual([
      'authorization',
      'capture',
    ]);
    expect((await platformSideEffects(after.orderId)).ledger).toEqual([]);
    const { rows } = await platformDb.query<{ view: { stageRoutes: Record<string, string> } }>(
      'SELECT view FROM order_status WHERE order_id = ANY($1)',
      [[inFlight.orderId, after.orderId]],
    );
    expect(rows.map((row) => row.view.stageRoutes.payment).sort()).toEqual(['legacy', 'new']);
  });

  it('judges two operators’ changes one after the other: they never split a commitment together', async () => {
    await promote('payment');
    await promote('inventory');
    for (let round = 0; round < 3; round += 1) {
      const [ship, rollBack] = await Promise.all([
        route('fulfilment', { mode: 'new', reason: 'ship', overrideReason: 'test' }),
        route('inventory', { mode: 'legacy', reason: 'roll back' }),
      ]);
      // One of them goes first; the other is judged against it and refused.
      expect([ship.status, rollBack.status].sort()).toEqual([200, 409]);
      const refused = ship.status === 409 ? ship : rollBack;
      expect(refused.body.type).toBe('urn:order-platform:problem:stage-dependency');
      const response = await fetch(`${gateway}/v1/ops/routing`, {
        headers: { authorization: `Bearer ${await tokenFor('operator', 'ops-stages')}` },
      });
      const { routes } = (await response.json()) as {
        routes: { stage: MigrationStage; mode: MigrationRoute; newPercent: number }[];
      };
      expect(checkStageDependencies(Object.fromEntries(routes.map((r) => [r.stage, r])))).toEqual({
        allowed: true,
      });
      // Back to the start of the race: fulfilment legacy, inventory new.
      expect((await route('fulfilment', { mode: 'legacy', reason: 'reset' })).status).toBe(200);
      if (rollBack.status === 200) await promote('inventory');
    }
  });
});
