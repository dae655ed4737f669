/**
 * The workflow that follows a monolith order, on Temporal's time-skipping server: the platform
 * decides a stage it owns and tells the monolith, follows the monolith's facts to delivery, and
 * ends when the monolith cancels an order whose next fact is overdue. What the platform holds for
 * a handed-over order is undone through the saga, failing closed (`stage-hand-over-fails-closed`),
 * and a monolith refusing a tell for good is flagged, not fatal.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  DOWNSTREAM_REJECTED,
  legacyEvent,
  type LegacyFactPayloads,
  type LegacyFactType,
  type MigrationRoute,
  type MigrationStage,
  operatorTasksOf,
  workflowIdForOrder,
} from '@order-platform/domain';
import { eventually } from '@order-platform/tools';
import { COMPENSATION_ROUNDS } from '../retry-policies';
import { FakeOrderWorld } from '../testing/fake-order-world';
import { OrderTestEnv, placedOrder } from '../testing/order-test-env';
import {
  orderDeliveredSignal,
  orderStatusQuery,
  shipmentDispatchedSignal,
} from '../order/messages';
import { legacyFactSignal, legacyOrderLifecycle } from './legacy-order.workflow';

const ALL_LEGACY: Record<MigrationStage, MigrationRoute> = {
  fraud: 'legacy',
  inventory: 'legacy',
  payment: 'legacy',
  fulfilment: 'legacy',
  notification: 'legacy',
};

describe('an order placed in the legacy monolith', () => {
  let t: OrderTestEnv;
  let world: FakeOrderWorld;
  let told: { orderId: string; decision: string }[];
  let outcomes: Record<string, unknown>[];
  let tellings: number;

  beforeAll(async () => {
    t = await OrderTestEnv.start();
  });
  afterAll(() => t?.teardown());
  beforeEach(() => {
    world = new FakeOrderWorld();
    told = [];
    outcomes = [];
    tellings = 0;
  });

  const strangler = (routes: Record<MigrationStage, MigrationRoute>) => ({
    resolveStageRoutes: async () => routes,
    checkAvailability: async () => true,
    tellMonolithFraudDecision: async (input: { orderId: string; decision: string }) => {
      told.push({ orderId: input.orderId, decision: input.decision });
      return { accepted: true };
    },
    tellMonolithStageOutcome: async (input: Record<string, unknown>) => {
      outcomes.push(input);
      return { accepted: true };
    },
  });

  /** Starts the workflow, and returns once it answers queries (after it has read its routes). */
  async function start(order = placedOrder()) {
    const handle = await t.start(legacyOrderLifecycle, {
      workflowId: workflowIdForOrder(order.orderId),
      args: [order],
    });
    await eventually('the status query', () => handle.query(orderStatusQuery), {
      intervalMs: 25,
    });
    return handle;
  }

  const fact = <T extends LegacyFactType>(
    orderId: string,
    type: T,
    payload: LegacyFactPayloads[T],
  ) => legacyEvent(orderId, type, '2026-11-23T10:00:00.000Z', payload);

  it('is decided by the platform where it owns the stage, and follows the monolith to delivery', () =>
    t.run(
      world,
      async () => {
        const order = placedOrder();
        const handle = await start(order);
        const { orderId } = order;
        const lines = [{ sku: 'SKU-1', quantity: 2 }];
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyFraudDecided', {
            decision: 'approve',
            decidedBy: 'external',
            score: 3,
          }),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyStockReserved', { lines }));
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyPaymentAuthorized', {
            authorizationId: 'legacy-auth-1',
            amountMinor: 5_000,
            currency: 'EUR',
          }),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderAccepted', {}));
        await t.reach(handle, 'ReadyForFulfillment');
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderShipped', {}));
        await t.reach(handle, 'Shipped');
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderDelivered', {}));
        const done = await handle.result();

        await t.keepHistory(handle, 'legacy-order-delivered-recorded-locally');
        expect(done.stage).toBe('Delivered');
        expect(done.migrationRoute).toBe('legacy');
        expect(told).toEqual([{ orderId, decision: 'approve' }]);
        const decided = world.events.filter(
          (event) => event.orderId === orderId && event.eventType === 'StageDecided',
        );
        expect(decided.map((event) => event.payload)).toEqual([
          expect.objectContaining({ stage: 'fraud', acted: true }),
          expect.objectContaining({ stage: 'inventory', acted: false }),
        ]);
        expect(done.commitments.payment?.state).toBe('captured');
      },
      strangler({ ...ALL_LEGACY, fraud: 'new', inventory: 'shadow' }),
    ));

  it('marks an overdue fact for attention, and ends when the monolith cancels the order', () =>
    t.run(
      world,
      async () => {
        const order = placedOrder();
        const handle = await start(order);
        await handle.signal(
          legacyFactSignal,
          fact(order.orderId, 'LegacyFraudDecided', {
            decision: 'approve',
            decidedBy: 'rules',
            score: null,
          }),
        );
        await t.reach(handle, 'InventoryHoldPending');
        await t.skip('1 day');
        await eventually(
          'the overdue stock fact flagged',
          async () => {
            const view = await handle.query(orderStatusQuery);
            return view.needsAttention === 'LegacyFactOverdue:inventory' ? view : undefined;
          },
          { intervalMs: 25 },
        );
        await handle.signal(
          legacyFactSignal,
          fact(order.orderId, 'LegacyOrderCancelled', { reason: 'customer' }),
        );
        const done = await handle.result();

        await t.keepHistory(handle, 'legacy-order-cancelled-after-overdue-fact');
        expect(done.stage).toBe('Cancelled');
        expect(done.history.at(-1)?.reason).toBe('CancelledInLegacy');
        expect(done.commitments).toEqual({});
        expect(told).toEqual([]);
      },
      strangler(ALL_LEGACY),
    ));

  it('acts once for every stage the monolith handed over, tells it each outcome, and holds nothing twice', () =>
    t.run(
      world,
      async () => {
        const order = {
          ...placedOrder(),
          handedOver: ['inventory', 'payment', 'fulfilment', 'notification'] as MigrationStage[],
        };
        const { orderId } = order;
        const handle = await start(order);
        const lines = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyFraudDecided', {
            decision: 'approve',
            decidedBy: 'rules',
            score: 1,
          }),
        );
        // The monolith records each outcome the platform tells it, and its record comes back.
        const recorded = (stage: string) =>
          eventually(`the ${stage} outcome told`, async () =>
            outcomes.find((outcome) => outcome.stage === stage),
          );
        const reservation = await recorded('inventory');
        expect(reservation).toMatchObject({ orderId, reservationId: expect.any(String) });
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyStockReserved', { lines }));
        const payment = (await recorded('payment')) as { paymentReference: string };
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyPaymentAuthorized', {
            authorizationId: payment.paymentReference,
            amountMinor: 5_000,
            currency: 'EUR',
          }),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderAccepted', {}));
        await t.reach(handle, 'ReadyForFulfillment');
        await handle.signal(shipmentDispatchedSignal, {});
        const shipped = await recorded('fulfilment');
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderShipped', {}));
        await t.reach(handle, 'Shipped');
        await handle.signal(orderDeliveredSignal);
        await eventually('the delivery told', async () =>
          outcomes.find((outcome) => outcome.state === 'delivered'),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderDelivered', {}));
        const done = await handle.result();

        await t.keepHistory(handle, 'legacy-order-handed-over-every-stage-decided');
        expect(done.stage).toBe('Delivered');
        // Fraud routed new in the table but kept by the monolith: compared only (shadow).
        expect(done.stageRoutes).toEqual({
          fraud: 'shadow',
          inventory: 'new',
          payment: 'new',
          fulfilment: 'new',
          notification: 'new',
        });
        // One reservation, allocated; one authorization, captured once; one shipment.
        const reservations = [...world.reservations.values()].filter((r) => r.orderId === orderId);
        expect(reservations.map((r) => r.state)).toEqual(['allocated']);
        expect(world.ledger.filter((e) => e.orderId === orderId).map((e) => e.kind)).toEqual([
          'authorization',
          'capture',
        ]);
        expect(shipped).toMatchObject({ state: 'dispatched', shipmentId: expect.any(String) });
        expect(world.told(orderId)).toEqual(['confirmed', 'shipped', 'delivered']);
        expect(outcomes.filter((o) => o.stage === 'notification').map((o) => o.kind)).toEqual([
          'confirmed',
          'shipped',
          'delivered',
        ]);
        const decided = world.events.filter(
          (event) => event.orderId === orderId && event.eventType === 'StageDecided',
        );
        expect(decided.map((event) => event.payload)).toEqual([
          { stage: 'fraud', decision: { decision: 'approve' }, acted: false },
          { stage: 'inventory', decision: { reserved: true }, acted: true },
          { stage: 'payment', decision: { authorized: true, amountMinor: 5_000 }, acted: true },
          // What it told the customer, per kind, for the comparator (notification-stage-decision).
          { stage: 'notification', decision: { kind: 'confirmed', notified: true }, acted: true },
          { stage: 'fulfilment', decision: { shipped: true }, acted: true },
          { stage: 'notification', decision: { kind: 'shipped', notified: true }, acted: true },
          { stage: 'notification', decision: { kind: 'delivered', notified: true }, acted: true },
        ]);
      },
      // The table may lag behind the monolith: what the order handed over is what counts.
      strangler({ ...ALL_LEGACY, inventory: 'shadow', fraud: 'new' }),
    ));

  it('under shadow fulfilment, publishes that it would ship for the comparator and ships nothing', () =>
    t.run(
      world,
      async () => {
        const order = placedOrder();
        const handle = await start(order);
        const { orderId } = order;
        const lines = [{ sku: 'SKU-1', quantity: 2 }];
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyFraudDecided', {
            decision: 'approve',
            decidedBy: 'rules',
            score: 3,
          }),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyStockReserved', { lines }));
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyPaymentAuthorized', {
            authorizationId: 'legacy-auth-shadow',
            amountMinor: 5_000,
            currency: 'EUR',
          }),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderAccepted', {}));
        await t.reach(handle, 'ReadyForFulfillment');
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderShipped', {}));
        await t.reach(handle, 'Shipped');
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderDelivered', {}));
        const done = await handle.result();

        await t.keepHistory(handle, 'legacy-order-shadow-fulfilment-delivered');
        expect(done.stage).toBe('Delivered');
        const decided = world.events.filter(
          (event) => event.orderId === orderId && event.eventType === 'StageDecided',
        );
        expect(decided.map((event) => event.payload)).toEqual([
          { stage: 'fulfilment', decision: { shipped: true }, acted: false },
        ]);
        // Shadow acts on nothing: no shipment, no capture, nothing told by the platform.
        expect(world.ledger.filter((e) => e.orderId === orderId).map((e) => e.kind)).toEqual([]);
        expect([...world.shipments.values()].filter((s) => s.orderId === orderId)).toEqual([]);
        expect(world.told(orderId)).toEqual([]);
      },
      strangler({ ...ALL_LEGACY, fulfilment: 'shadow' }),
    ));

  it('under shadow notification, says which notifications it would have sent, per kind, and sends none', () =>
    t.run(
      world,
      async () => {
        const order = placedOrder();
        const handle = await start(order);
        const { orderId } = order;
        const lines = [{ sku: 'SKU-1', quantity: 2 }];
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyFraudDecided', {
            decision: 'approve',
            decidedBy: 'rules',
            score: 3,
          }),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyStockReserved', { lines }));
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyPaymentAuthorized', {
            authorizationId: 'legacy-auth-shadow-notify',
            amountMinor: 5_000,
            currency: 'EUR',
          }),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderAccepted', {}));
        // The monolith's own notifications reach the workflow too; it follows nothing from them.
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyCustomerNotified', { kind: 'confirmed', sentBy: 'monolith' }),
        );
        await t.reach(handle, 'ReadyForFulfillment');
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyOrderCancelled', { reason: 'cancelled in the monolith' }),
        );
        const done = await handle.result();

        await t.keepHistory(handle, 'legacy-order-shadow-notification-cancelled');
        expect(done.stage).toBe('Cancelled');
        const decided = world.events.filter(
          (event) => event.orderId === orderId && event.eventType === 'StageDecided',
        );
        expect(decided.map((event) => event.payload)).toEqual([
          { stage: 'notification', decision: { kind: 'confirmed', notified: true }, acted: false },
          { stage: 'notification', decision: { kind: 'cancelled', notified: true }, acted: false },
        ]);
        // Shadow tells nobody: the monolith told the customer, the platform only compares.
        expect(world.told(orderId)).toEqual([]);
        expect(outcomes).toEqual([]);
      },
      strangler({ ...ALL_LEGACY, notification: 'shadow' }),
    ));

  it('undoes what the platform holds when the monolith ends the order, and tells the customer once', () =>
    t.run(
      world,
      async () => {
        const order = {
          ...placedOrder(),
          handedOver: ['inventory', 'payment', 'notification'] as MigrationStage[],
        };
        const { orderId } = order;
        const handle = await start(order);
        const lines = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyFraudDecided', {
            decision: 'approve',
            decidedBy: 'rules',
            score: 1,
          }),
        );
        await eventually('the reservation told', async () =>
          outcomes.find((outcome) => outcome.stage === 'inventory'),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyStockReserved', { lines }));
        await eventually('the authorization told', async () =>
          outcomes.find((outcome) => outcome.stage === 'payment'),
        );
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyOrderCancelled', { reason: 'customer' }),
        );
        const done = await handle.result();
        expect(done.stage).toBe('Cancelled');
        const reservations = [...world.reservations.values()].filter((r) => r.orderId === orderId);
        expect(reservations.map((r) => r.state)).toEqual(['released']);
        expect(world.ledger.filter((e) => e.orderId === orderId).map((e) => e.kind)).toEqual([
          'authorization',
          'void',
        ]);
        expect(world.told(orderId)).toEqual(['cancelled']);
        // The stage the table routed new but the monolith kept ran as shadow: nothing acted twice.
        expect(done.stageRoutes?.fulfilment).toBe('shadow');
      },
      strangler({ ...ALL_LEGACY, fulfilment: 'new' }),
    ));

  /** The monolith's refusal of a tell for good: what port-activity.ts makes of a 4xx. */
  const refusedByMonolith = () =>
    ApplicationFailure.create({
      message: 'POST /legacy/orders/stage-outcome: 404 urn:legacy:unknown-order',
      type: DOWNSTREAM_REJECTED,
      nonRetryable: true,
    });

  it('flags a void the gateway refused for good when the monolith ends a handed-over order, and undoes the rest', () =>
    t.run(
      world,
      async () => {
        world.rejecting.add('voidAuthorization');
        const order = {
          ...placedOrder(),
          handedOver: ['inventory', 'payment', 'notification'] as MigrationStage[],
        };
        const { orderId } = order;
        const handle = await start(order);
        const lines = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyFraudDecided', {
            decision: 'approve',
            decidedBy: 'rules',
            score: 1,
          }),
        );
        await eventually('the reservation told', async () =>
          outcomes.find((outcome) => outcome.stage === 'inventory'),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyStockReserved', { lines }));
        await eventually('the authorization told', async () =>
          outcomes.find((outcome) => outcome.stage === 'payment'),
        );
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyOrderCancelled', { reason: 'customer' }),
        );
        const done = await handle.result();
        await t.keepHistory(handle, 'legacy-order-handed-over-void-refused');

        expect(done.stage).toBe('Cancelled');
        // Asked once, not forever; the stock is back; the authorization is an operator's task.
        expect(world.calls.get('voidAuthorization')).toBe(1);
        expect(done.compensations).toEqual([
          expect.objectContaining({
            name: 'void-authorization',
            status: 'failed',
            attempts: 1,
            lastError: expect.stringContaining('422'),
          }),
          expect.objectContaining({ name: 'release-inventory', status: 'done' }),
        ]);
        expect(done.needsAttention).toBe('CompensationFailed:void-authorization');
        expect(world.readModel.get(orderId)?.needsAttention).toBe(
          'CompensationFailed:void-authorization',
        );
        // What the read model's projector opens an operator task from.
        expect(operatorTasksOf(world.readModel.get(orderId)!)).toEqual([
          expect.objectContaining({ kind: 'compensation-failed', subject: 'void-authorization' }),
        ]);
        const failed = world.events.filter(
          (e) => e.orderId === orderId && e.eventType === 'CompensationFailed',
        );
        expect(failed.map((e) => e.payload)).toEqual([
          expect.objectContaining({
            compensation: 'void-authorization',
            failureType: DOWNSTREAM_REJECTED,
            permanent: true,
          }),
        ]);
        const reservations = [...world.reservations.values()].filter((r) => r.orderId === orderId);
        expect(reservations.map((r) => r.state)).toEqual(['released']);
        expect(world.ledger.filter((e) => e.orderId === orderId).map((e) => e.kind)).toEqual([
          'authorization',
        ]);
        expect(world.told(orderId)).toEqual(['cancelled']);
      },
      strangler(ALL_LEGACY),
    ));

  it('continues as new through a long outage of the gateway while undoing, and undoes everything once', () =>
    t.run(
      world,
      async () => {
        const rounds = COMPENSATION_ROUNDS.roundsPerRun + 5;
        // Every attempt of 25 rounds fails (a round is COMPENSATION's three attempts).
        world.failNext.set('voidAuthorization', 3 * rounds);
        const order = {
          ...placedOrder(),
          handedOver: ['inventory', 'payment', 'notification'] as MigrationStage[],
        };
        const { orderId } = order;
        const handle = await start(order);
        const firstRunId = (await handle.describe()).runId;
        const lines = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyFraudDecided', {
            decision: 'approve',
            decidedBy: 'rules',
            score: 1,
          }),
        );
        await eventually('the reservation told', async () =>
          outcomes.find((outcome) => outcome.stage === 'inventory'),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyStockReserved', { lines }));
        await eventually('the authorization told', async () =>
          outcomes.find((outcome) => outcome.stage === 'payment'),
        );
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyOrderCancelled', { reason: 'customer' }),
        );
        const done = await handle.result();
        const lastRun = await handle.describe();
        await t.keepHistory(handle, 'legacy-order-undo-continued-as-new');

        // The undoing went on in a new run of the same workflow.
        expect(lastRun.runId).not.toBe(firstRunId);
        const first = await t.env.client.workflow
          .getHandle(handle.workflowId, firstRunId)
          .describe();
        expect(first.status.name).toBe('CONTINUED_AS_NEW');
        expect(lastRun.status.name).toBe('COMPLETED');

        // Cancelled truthfully: every undo ran once to success, the customer told once.
        expect(done.stage).toBe('Cancelled');
        expect(done.history.at(-1)?.reason).toBe('CancelledInLegacy');
        expect(done.needsAttention).toBe('');
        expect(done.compensations.map((c) => [c.name, c.status, c.attempts])).toEqual([
          ['void-authorization', 'done', rounds + 1],
          ['release-inventory', 'done', 1],
        ]);
        expect(world.calls.get('releaseInventory')).toBe(1);
        expect(world.ledger.filter((e) => e.orderId === orderId).map((e) => e.kind)).toEqual([
          'authorization',
          'void',
        ]);
        const reservations = [...world.reservations.values()].filter((r) => r.orderId === orderId);
        expect(reservations.map((r) => r.state)).toEqual(['released']);
        expect(world.told(orderId)).toEqual(['cancelled']);
        // The read model followed both runs: versions only rise; no event is published twice.
        const versions = world.projections
          .filter((v) => v.orderId === orderId)
          .map((v) => v.version);
        expect(versions).toEqual([...versions].sort((a, b) => a - b));
        expect(new Set(versions).size).toBe(versions.length);
        expect(world.readModel.get(orderId)).toMatchObject({
          stage: 'Cancelled',
          needsAttention: '',
        });
        const ids = world.events.filter((e) => e.orderId === orderId).map((e) => e.eventId);
        expect(new Set(ids).size).toBe(ids.length);
        expect(
          world.events.filter((e) => e.orderId === orderId && e.eventType === 'PaymentVoided'),
        ).toHaveLength(1);
      },
      strangler(ALL_LEGACY),
    ));

  it('undoes the reservation when the warehouse refuses to allocate it for good, and reads as failed', () =>
    t.run(
      world,
      async () => {
        world.rejecting.add('allocateInventory');
        const order = { ...placedOrder(), handedOver: ['inventory'] as MigrationStage[] };
        const { orderId } = order;
        const handle = await start(order);
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyFraudDecided', {
            decision: 'approve',
            decidedBy: 'rules',
            score: 1,
          }),
        );
        const done = await handle.result();

        expect(done.stage).toBe('Failed');
        expect(done.history.at(-1)?.reason).toContain('allocateInventory failed');
        const reservations = [...world.reservations.values()].filter((r) => r.orderId === orderId);
        expect(reservations.map((r) => r.state)).toEqual(['released']);
        expect(done.compensations).toEqual([
          expect.objectContaining({ name: 'release-inventory', status: 'done' }),
        ]);
        // The monolith, waiting for the reservation, is told the stage failed, once.
        expect(outcomes).toEqual([
          {
            orderId,
            stage: 'inventory',
            outcome: 'failed',
            reason: done.history.at(-1)?.reason,
          },
        ]);
        // Notifications stayed with the monolith: the platform tells the customer nothing.
        expect(world.told(orderId)).toEqual([]);
      },
      strangler(ALL_LEGACY),
    ));

  /** An order handed over but for fraud and payment, accepted by the monolith, ready to ship. */
  const readyToShip = async (handedOver: MigrationStage[]) => {
    const order = { ...placedOrder(), handedOver };
    const { orderId } = order;
    const handle = await start(order);
    const lines = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
    await handle.signal(
      legacyFactSignal,
      fact(orderId, 'LegacyFraudDecided', { decision: 'approve', decidedBy: 'rules', score: 1 }),
    );
    await eventually('the reservation told', async () =>
      outcomes.find((outcome) => outcome.stage === 'inventory'),
    );
    await handle.signal(legacyFactSignal, fact(orderId, 'LegacyStockReserved', { lines }));
    await handle.signal(
      legacyFactSignal,
      fact(orderId, 'LegacyPaymentAuthorized', {
        authorizationId: 'legacy-auth-1',
        amountMinor: 5_000,
        currency: 'EUR',
      }),
    );
    await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderAccepted', {}));
    return { orderId, handle };
  };

  it('tells the monolith when the warehouse refuses the shipment for good, undoes its stock and tells the customer', () =>
    t.run(
      world,
      async () => {
        world.rejecting.add('createShipment');
        const { orderId, handle } = await readyToShip(['inventory', 'fulfilment', 'notification']);
        const done = await handle.result();
        await t.keepHistory(handle, 'legacy-order-shipment-refused-told');

        expect(done.stage).toBe('Failed');
        const reason = done.history.at(-1)?.reason;
        expect(reason).toContain('createShipment failed');
        // The monolith waits for the platform's shipment: told the stage failed, with why.
        expect(outcomes.filter((o) => o.stage === 'fulfilment')).toEqual([
          { orderId, stage: 'fulfilment', outcome: 'failed', reason },
        ]);
        // Nothing is left held on the platform; no shipment exists.
        const reservations = [...world.reservations.values()].filter((r) => r.orderId === orderId);
        expect(reservations.map((r) => r.state)).toEqual(['released']);
        expect([...world.shipments.values()].filter((s) => s.orderId === orderId)).toEqual([]);
        // Notifications are the platform's: the customer hears the order is cancelled, once,
        // and the monolith records it.
        expect(world.told(orderId)).toEqual(['confirmed', 'cancelled']);
        expect(outcomes.filter((o) => o.stage === 'notification').map((o) => o.kind)).toEqual([
          'confirmed',
          'cancelled',
        ]);
        expect(world.readModel.get(orderId)?.stage).toBe('Failed');
      },
      strangler(ALL_LEGACY),
    ));

  it('flags a failure tell the monolith refuses for good (4xx) and still reads as failed', () =>
    t.run(
      world,
      async () => {
        world.rejecting.add('createShipment');
        const { orderId, handle } = await readyToShip(['inventory', 'fulfilment']);
        const done = await handle.result();

        expect(done.stage).toBe('Failed');
        expect(done.needsAttention).toBe('MonolithRefused:fulfilment');
        expect(world.readModel.get(orderId)?.needsAttention).toBe('MonolithRefused:fulfilment');
        // Asked once: the refusal is an answer, not a failure to retry.
        expect(outcomes.filter((o) => o.stage === 'fulfilment')).toHaveLength(1);
        const reservations = [...world.reservations.values()].filter((r) => r.orderId === orderId);
        expect(reservations.map((r) => r.state)).toEqual(['released']);
      },
      {
        ...strangler(ALL_LEGACY),
        tellMonolithStageOutcome: async (input: Record<string, unknown>) => {
          outcomes.push(input);
          if (input.outcome === 'failed') throw refusedByMonolith();
          return { accepted: true };
        },
      },
    ));

  it('flags a tell the monolith refuses for good (4xx), and still follows the order to delivery', () =>
    t.run(
      world,
      async () => {
        const order = { ...placedOrder(), handedOver: ['inventory'] as MigrationStage[] };
        const { orderId } = order;
        const handle = await start(order);
        const lines = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyFraudDecided', {
            decision: 'approve',
            decidedBy: 'rules',
            score: 1,
          }),
        );
        await eventually('the refusal flagged', async () => {
          const view = await handle.query(orderStatusQuery);
          return view.needsAttention === 'MonolithRefused:inventory' ? view : undefined;
        });
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyStockReserved', { lines }));
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyPaymentAuthorized', {
            authorizationId: 'legacy-auth-1',
            amountMinor: 5_000,
            currency: 'EUR',
          }),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderAccepted', {}));
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderShipped', {}));
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderDelivered', {}));
        const done = await handle.result();

        expect(done.stage).toBe('Delivered');
        expect(done.needsAttention).toBe('MonolithRefused:inventory');
        expect(tellings).toBe(1);
        // The platform's reservation stays allocated for the parcel the monolith shipped.
        const reservations = [...world.reservations.values()].filter((r) => r.orderId === orderId);
        expect(reservations.map((r) => r.state)).toEqual(['allocated']);
      },
      {
        ...strangler(ALL_LEGACY),
        tellMonolithStageOutcome: async () => {
          tellings += 1;
          throw refusedByMonolith();
        },
      },
    ));

  it('flags a fraud decision the monolith refuses for good, and follows its own decision', () =>
    t.run(
      world,
      async () => {
        const order = placedOrder();
        const { orderId } = order;
        const handle = await start(order);
        await eventually('the refusal flagged', async () => {
          const view = await handle.query(orderStatusQuery);
          return view.needsAttention === 'MonolithRefused:fraud' ? view : undefined;
        });
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyOrderRejected', { reason: 'fraud' }),
        );
        const done = await handle.result();
        expect(done.stage).toBe('Rejected');
        expect(tellings).toBe(1);
      },
      {
        ...strangler({ ...ALL_LEGACY, fraud: 'new' }),
        tellMonolithFraudDecision: async () => {
          tellings += 1;
          throw refusedByMonolith();
        },
      },
    ));

  it('flags a handed-over parcel that left before the monolith cancelled, and voids the authorization only', () =>
    t.run(
      world,
      async () => {
        const order = {
          ...placedOrder(),
          handedOver: ['inventory', 'payment', 'fulfilment'] as MigrationStage[],
        };
        const { orderId } = order;
        const handle = await start(order);
        const lines = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyFraudDecided', {
            decision: 'approve',
            decidedBy: 'rules',
            score: 1,
          }),
        );
        await eventually('the reservation told', async () =>
          outcomes.find((outcome) => outcome.stage === 'inventory'),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyStockReserved', { lines }));
        const payment = (await eventually('the authorization told', async () =>
          outcomes.find((outcome) => outcome.stage === 'payment'),
        )) as { paymentReference: string };
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyPaymentAuthorized', {
            authorizationId: payment.paymentReference,
            amountMinor: 5_000,
            currency: 'EUR',
          }),
        );
        await handle.signal(legacyFactSignal, fact(orderId, 'LegacyOrderAccepted', {}));
        const shipment = await eventually('the shipment created', async () =>
          [...world.shipments.values()].find((s) => s.orderId === orderId),
        );
        // The warehouse dispatched, but its webhook has not reached the workflow yet.
        shipment.state = 'dispatched';
        await handle.signal(
          legacyFactSignal,
          fact(orderId, 'LegacyOrderCancelled', { reason: 'customer' }),
        );
        const done = await handle.result();

        expect(done.stage).toBe('Cancelled');
        expect(done.needsAttention).toBe('EndedInLegacyAfterDispatch');
        // The stock left with the parcel: not released; the uncaptured authorization is voided.
        const reservations = [...world.reservations.values()].filter((r) => r.orderId === orderId);
        expect(reservations.map((r) => r.state)).toEqual(['allocated']);
        expect(world.ledger.filter((e) => e.orderId === orderId).map((e) => e.kind)).toEqual([
          'authorization',
          'void',
        ]);
        const failed = world.events.filter(
          (e) => e.orderId === orderId && e.eventType === 'CompensationFailed',
        );
        expect(failed.map((e) => e.payload)).toEqual([
          expect.objectContaining({
            compensation: 'cancel-shipment',
            error: 'ShipmentAlreadyDispatched',
          }),
        ]);
      },
      strangler(ALL_LEGACY),
    ));
});
