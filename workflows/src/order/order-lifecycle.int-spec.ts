/**
 * The order lifecycle on Temporal's time-skipping server: every timer path of the stage table
 * and every compensation path, with days of workflow time passing in moments. The downstream
 * world is an in-memory fake behind the real activities.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { DEFAULT_POLICIES, holdsEverything, RETURN_INSTEAD } from '@order-platform/domain';
import { eventually } from '@order-platform/tools';
import { FakeOrderWorld } from '../testing/fake-order-world';
import { OrderTestEnv } from '../testing/order-test-env';
import {
  cancelOrderUpdate,
  fraudDecisionSignal,
  manualReviewDecisionUpdate,
  orderDeliveredSignal,
  orderStatusQuery,
  shipmentDispatchedSignal,
} from './messages';

describe('the order lifecycle', () => {
  let t: OrderTestEnv;
  let world: FakeOrderWorld;

  beforeAll(async () => {
    t = await OrderTestEnv.start();
  });
  afterAll(() => t?.teardown());
  beforeEach(() => {
    world = new FakeOrderWorld();
  });

  it('takes an order from RECEIVED to DELIVERED, telling the customer each commitment once', () =>
    t.run(world, async () => {
      const handle = await t.place();
      const confirmed = await t.reach(handle, 'ReadyForFulfillment');
      expect(confirmed.customer.status).toBe('READY_TO_SHIP');
      expect(holdsEverything(confirmed.commitments, confirmed.asOf)).toBe(true);
      await handle.signal(shipmentDispatchedSignal, {});
      await t.reach(handle, 'Shipped');
      await handle.signal(orderDeliveredSignal);
      const done = await handle.result();

      await t.keepHistory(handle, 'delivered-changes-consolidated');
      // One patch stands for every change consolidated so far (changes.ts): one marker and one
      // upsert of TemporalChangeVersion in the history, not a pair per change.
      const { events } = await handle.fetchHistory();
      const patchMarkers = events!.filter(
        (event) => event.markerRecordedEventAttributes?.markerName === 'core_patch',
      );
      expect(patchMarkers).toHaveLength(1);
      expect(done.stage).toBe('Delivered');
      expect(done.customer.status).toBe('DELIVERED');
      expect(done.history.map((h) => h.stage)).toEqual([
        'AcceptedForProcessing',
        'AwaitingFraudDecision',
        'InventoryHoldPending',
        'PaymentAuthorizationPending',
        'Confirmed',
        'ReadyForFulfillment',
        'Shipped',
        'Delivered',
      ]);
      const orderId = done.orderId;
      expect(world.eventTypes(orderId)).toEqual([
        'OrderAccepted',
        'FraudReviewRequested',
        'FraudApproved',
        'InventoryReserved',
        'PaymentAuthorized',
        'InventoryAllocated',
        'OrderConfirmed',
        'ShipmentCreated',
        'OrderShipped',
        'PaymentCaptured',
        'OrderDelivered',
      ]);
      const sequences = world.events.filter((e) => e.orderId === orderId).map((e) => e.sequence);
      expect(sequences).toEqual(sequences.map((_, i) => i + 1));
      expect(world.told(orderId)).toEqual(['confirmed', 'shipped', 'delivered']);
      expect(world.ledger.map((l) => l.kind)).toEqual(['authorization', 'capture']);
      expect(world.readModel.get(orderId)?.stage).toBe('Delivered');
    }));

  it('records each change in the worker (a local activity), retried through an outage, once and in order', () =>
    t.run(world, async () => {
      // Kafka or PostgreSQL down: the first recording fails five times. The first four pauses
      // (1 to 8 s) are retried in the worker; the fifth (16 s) is past the local retry
      // threshold, so it waits on a durable timer instead of holding the workflow task.
      world.failNext.set('recordOrderChange', 5);
      const handle = await t.place();
      const timerStarted = async () => {
        const { events } = await handle.fetchHistory();
        return (events ?? []).some((e) => e.timerStartedEventAttributes) ? true : undefined;
      };
      await eventually('the backoff timer', timerStarted, { timeoutMs: 60_000 });
      await t.skip('20 seconds');
      const confirmed = await t.reach(handle, 'ReadyForFulfillment', 60_000);
      expect(holdsEverything(confirmed.commitments, confirmed.asOf)).toBe(true);

      const orderId = confirmed.orderId;
      const events = world.events.filter((e) => e.orderId === orderId);
      expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
      expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
      const versions = world.projections.filter((v) => v.orderId === orderId).map((v) => v.version);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
      expect(world.readModel.get(orderId)?.customer.status).toBe('READY_TO_SHIP');
      expect(world.calls.get('recordOrderChange')).toBe(versions.length + 5);

      const history = (await handle.fetchHistory()).events ?? [];
      const scheduled = history
        .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter((name): name is string => name !== undefined);
      expect(scheduled).not.toContain('recordOrderChange');
      // A local activity leaves a marker: one per change recorded, one more for the try that
      // handed its pause to the timer.
      const markers = history.filter(
        (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
      );
      const recorded = markers.filter((e) => !e.markerRecordedEventAttributes?.failure);
      expect(recorded).toHaveLength(versions.length);
      expect(markers).toHaveLength(versions.length + 1);
      const firstTimer = history.findIndex((e) => e.timerStartedEventAttributes);
      expect(firstTimer).toBeLessThan(history.indexOf(recorded[0]!));
    }));

  it('waits for a queued fraud decision, which the provider sends later', () =>
    t.run(world, async () => {
      world.fraud = 'pending';
      const handle = await t.place();
      await t.reach(handle, 'AwaitingFraudDecision');
      await t.skip('5 minutes');
      expect((await handle.query(orderStatusQuery)).stage).toBe('AwaitingFraudDecision');
      await handle.signal(fraudDecisionSignal, {
        decision: 'approve',
        decidedBy: 'provider',
        reference: 'late-1',
      });
      const view = await t.reach(handle, 'ReadyForFulfillment');
      expect(view.commitments.fraud).toMatchObject({ decision: 'approved', decidedBy: 'provider' });
      expect(world.told(view.orderId)).toEqual(['confirmed']);
    }));

  describe('when the fraud decision is late (fraud SLA)', () => {
    it('approves a low-value order with a flag and tells the customer it is taking longer', () =>
      t.run(world, async () => {
        world.fraud = 'pending';
        const handle = await t.place();
        const waiting = await t.reach(handle, 'AwaitingFraudDecision');
        expect(waiting.stageDeadline).toBe(
          new Date(
            Date.parse(waiting.stageEnteredAt) + DEFAULT_POLICIES.standard.fraudSlaMs,
          ).toISOString(),
        );
        await t.skip('16 minutes');
        const view = await t.reach(handle, 'ReadyForFulfillment');
        expect(view.commitments.fraud).toMatchObject({
          decidedBy: 'policy',
          flag: 'FraudSlaExpired',
        });
        expect(world.eventTypes(view.orderId)).toContain('FraudReviewDeferred');
      }));

    it('sends a high-value order to manual review, which an operator approves', () =>
      t.run(world, async () => {
        world.fraud = 'pending';
        const handle = await t.place({
          items: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: 250_000 }],
        });
        await t.reach(handle, 'AwaitingFraudDecision');
        await t.skip('16 minutes');
        const review = await t.reach(handle, 'ManualReviewRequired');
        expect(review.customer).toMatchObject({ status: 'UNDER_REVIEW', delayed: true });
        expect(review.customer.delayReason).toMatch(/manual check/);
        expect(review.needsAttention).toBe('ManualReview');
        expect(world.told(review.orderId)).toEqual(['delayed']);

        await handle.executeUpdate(manualReviewDecisionUpdate, {
          args: [{ decision: 'approve', operatorId: 'op-7', note: 'known customer' }],
        });
        const confirmed = await t.reach(handle, 'ReadyForFulfillment');
        // A second decision would change nothing: refused, so nobody records it as taken.
        const again = handle.executeUpdate(manualReviewDecisionUpdate, {
          args: [{ decision: 'reject', operatorId: 'op-8', note: 'too late' }],
        });
        await expect(again).rejects.toMatchObject({
          cause: { message: 'the order is in ReadyForFulfillment, not in manual review' },
        });
        expect(confirmed.commitments.fraud).toMatchObject({ decidedBy: 'manual-review' });
        expect(confirmed.needsAttention).toBe('');
        const decided = world.events.find(
          (e) => e.orderId === confirmed.orderId && e.eventType === 'ManualReviewDecided',
        );
        expect(decided?.payload).toMatchObject({
          decision: 'approve',
          operatorId: 'op-7',
          note: 'known customer',
        });
        expect(world.told(confirmed.orderId)).toEqual(['delayed', 'confirmed']);
        await handle.signal(shipmentDispatchedSignal, {});
        await t.reach(handle, 'Shipped');
        await handle.signal(orderDeliveredSignal);
        await handle.result();
        await t.keepHistory(handle, 'manual-review-changes-consolidated');
      }));

    it('cancels when the manual review deadline passes, and says so once', () =>
      t.run(world, async () => {
        world.fraud = 'review';
        const handle = await t.place();
        await t.reach(handle, 'ManualReviewRequired');
        await t.skip('25 hours');
        const done = await handle.result();
        expect(done.stage).toBe('Cancelled');
        expect(done.history.at(-1)?.reason).toBe('ManualReviewDeadlinePassed');
        expect(world.told(done.orderId)).toEqual(['delayed', 'cancelled']);
      }));

    it('goes to manual review when the fraud provider stays down for the whole SLA', () =>
      t.run(world, async () => {
        world.fraud = 'unavailable';
        world.policies = {
          ...DEFAULT_POLICIES,
          standard: { ...DEFAULT_POLICIES.standard, lowRiskOnFraudTimeout: 'manual-review' },
        };
        const handle = await t.place();
        await t.reach(handle, 'AwaitingFraudDecision');
        await t.skip('16 minutes');
        const review = await t.reach(handle, 'ManualReviewRequired');
        expect(review.history.at(-1)?.reason).toBe('FraudProviderUnavailable');
      }));
  });

  describe('when the fraud provider falls behind (degraded mode, circuit breaker)', () => {
    const degraded = () => {
      world.fraud = 'pending';
      world.degradedMode = { ...world.degradedMode, active: true };
    };

    it('approves a low-risk order at once with a review flag, without asking the provider', () =>
      t.run(world, async () => {
        degraded();
        const handle = await t.place();
        const view = await t.reach(handle, 'ReadyForFulfillment');
        expect(view.commitments.fraud).toMatchObject({
          decidedBy: 'policy',
          flag: 'DegradedModeReviewLater',
        });
        expect(world.calls.get('screenOrder') ?? 0).toBe(0);
        expect(world.told(view.orderId)).toEqual(['confirmed']);
      }));

    it('sends a high-value order straight to manual review and tells the customer', () =>
      t.run(world, async () => {
        degraded();
        const handle = await t.place({
          items: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: 250_000 }],
        });
        const review = await t.reach(handle, 'ManualReviewRequired');
        expect(review.history.at(-1)?.reason).toBe('DegradedModeHighValue');
        expect(review.customer).toMatchObject({ status: 'UNDER_REVIEW', delayed: true });
        // The customer hears right after the stage is recorded.
        await eventually('the delay notification', async () =>
          world.told(review.orderId).length > 0 ? true : undefined,
        );
        expect(world.told(review.orderId)).toEqual(['delayed']);
      }));

    it('lets a high-risk segment wait longer for the provider, so nothing is authorized early', () =>
      t.run(world, async () => {
        degraded();
        const handle = await t.place({ segment: 'new-customer' });
        const waiting = await t.reach(handle, 'AwaitingFraudDecision');
        expect(Date.parse(waiting.stageDeadline!) - Date.parse(waiting.stageEnteredAt)).toBe(
          world.degradedMode.config.deferredFraudSlaMs,
        );
        await t.skip('20 minutes');
        const still = await handle.query(orderStatusQuery);
        expect(still.stage).toBe('AwaitingFraudDecision');
        expect(still.commitments.payment).toBeUndefined();
        expect(world.ledger).toEqual([]);
      }));

    it('sends the order to manual review at once while the provider circuit is open', () =>
      t.run(world, async () => {
        world.fraud = 'circuit-open';
        const handle = await t.place();
        const review = await t.reach(handle, 'ManualReviewRequired');
        expect(review.history.at(-1)?.reason).toBe('FraudCircuitOpen');
        expect(world.calls.get('screenOrder')).toBe(1);
        await eventually('the delay notification', async () =>
          world.told(review.orderId).length > 0 ? true : undefined,
        );
        expect(world.told(review.orderId)).toEqual(['delayed']);
      }));
  });

  describe('when a hold runs out', () => {
    it('releases a reservation that lapses while fraud is pending, and re-reserves after the decision', () =>
      t.run(world, async () => {
        // Stock first (vip), and a fraud SLA longer than the reservation TTL.
        world.fraud = 'pending';
        world.policies = {
          ...DEFAULT_POLICIES,
          vip: {
            ...DEFAULT_POLICIES.vip,
            fraudSlaMs: 45 * 60_000,
            lowRiskOnFraudTimeout: 'approve-with-flag',
          },
        };
        const handle = await t.place({ segment: 'vip' });
        const waiting = await t.reach(handle, 'AwaitingFraudDecision');
        expect(waiting.commitments.stock?.state).toBe('reserved');
        await t.skip('31 minutes');
        const afterLapse = await handle.query(orderStatusQuery);
        expect(afterLapse.commitments.stock).toBeUndefined();
        expect(world.heldBy(afterLapse.orderId, await t.now()).reservations).toEqual([]);
        await t.skip('15 minutes');
        const confirmed = await t.reach(handle, 'ReadyForFulfillment');
        const released = world.events.filter(
          (e) => e.orderId === confirmed.orderId && e.eventType === 'InventoryReleased',
        );
        expect(released.map((e) => e.payload.reason)).toEqual(['ReservationExpired']);
        expect(
          world.eventTypes(confirmed.orderId).filter((t) => t === 'InventoryReserved'),
        ).toHaveLength(2);
      }));

    it('renews an authorization that expires before dispatch once, then cancels and undoes everything', () =>
      t.run(world, async () => {
        const handle = await t.place();
        await t.reach(handle, 'ReadyForFulfillment');
        await t.skip('7 days');
        await t.skip('1 hour');
        const renewed = await t.reach(handle, 'ReadyForFulfillment');
        expect(world.eventTypes(renewed.orderId)).toContain('PaymentAuthorizationExpired');
        expect(world.ledger.filter((l) => l.kind === 'authorization')).toHaveLength(2);
        expect(renewed.customer.status).toBe('READY_TO_SHIP');

        await t.skip('7 days');
        const done = await handle.result();
        expect(done.stage).toBe('Cancelled');
        expect(done.history.at(-1)?.reason).toBe('AuthorizationExpired');
        expect(world.heldBy(done.orderId, await t.now())).toEqual({
          reservations: [],
          authorizations: [],
        });
        expect([...world.shipments.values()].map((s) => s.state)).toEqual(['cancelled']);
        expect(world.told(done.orderId)).toEqual(['confirmed', 'cancelled']);
        await t.keepHistory(handle, 'authorization-renewed-then-expired');
      }));

    it('flags a delivery past its window for support and still completes on delivery', () =>
      t.run(world, async () => {
        const handle = await t.place();
        await t.reach(handle, 'ReadyForFulfillment');
        await handle.signal(shipmentDispatchedSignal, {});
        await t.reach(handle, 'Shipped');
        await t.skip('11 days');
        const late = await handle.query(orderStatusQuery);
        expect(late.needsAttention).toBe('DeliveryOverdue');
        expect(late.customer).toMatchObject({ status: 'SHIPPED', delayed: true });
        await handle.signal(orderDeliveredSignal);
        const done = await handle.result();
        expect(done.needsAttention).toBe('');
        expect(done.stage).toBe('Delivered');
      }));
  });

  describe('compensations', () => {
    it('releases the stock when the card is declined after the reservation', () =>
      t.run(world, async () => {
        world.declineCustomers.add('customer-1');
        const done = await (await t.place()).result();
        expect(done.stage).toBe('Cancelled');
        expect(done.history.at(-1)?.reason).toBe('PaymentDeclined');
        expect(done.compensations).toEqual([
          expect.objectContaining({ name: 'release-inventory', status: 'done' }),
        ]);
        expect(world.heldBy(done.orderId, await t.now())).toEqual({
          reservations: [],
          authorizations: [],
        });
        expect(world.ledger).toEqual([]);
        expect(world.told(done.orderId)).toEqual(['cancelled']);
      }));

    it('rejects and releases the stock when fraud rejects an order whose stock was held first', () =>
      t.run(world, async () => {
        world.fraud = 'reject';
        const done = await (await t.place({ segment: 'vip' })).result();
        expect(done.stage).toBe('Rejected');
        expect(done.customer.status).toBe('REJECTED');
        expect(world.eventTypes(done.orderId)).toEqual(
          expect.arrayContaining(['InventoryReserved', 'OrderRejected', 'InventoryReleased']),
        );
        expect(world.heldBy(done.orderId, await t.now()).reservations).toEqual([]);
        expect(world.told(done.orderId)).toEqual(['rejected']);
      }));

    it('cancels while awaiting the fraud decision, synchronously, with nothing left held', () =>
      t.run(world, async () => {
        world.fraud = 'pending';
        const handle = await t.place({ segment: 'vip' });
        await t.reach(handle, 'AwaitingFraudDecision');
        const view = await handle.executeUpdate(cancelOrderUpdate, {
          args: [{ reason: 'changed my mind', requestedBy: 'customer' }],
        });
        expect(view.customer.status).toBe('CANCELLED');
        const done = await handle.result();
        expect(world.heldBy(done.orderId, await t.now())).toEqual({
          reservations: [],
          authorizations: [],
        });
        expect(done.compensations.every((c) => c.status === 'done')).toBe(true);
      }));

    it('cancels during manual review', () =>
      t.run(world, async () => {
        world.fraud = 'review';
        const handle = await t.place();
        await t.reach(handle, 'ManualReviewRequired');
        await handle.executeUpdate(cancelOrderUpdate, {
          args: [{ reason: 'no longer needed', requestedBy: 'customer' }],
        });
        const done = await handle.result();
        expect(done.stage).toBe('Cancelled');
        expect(world.told(done.orderId)).toEqual(['delayed', 'cancelled']);
      }));

    it('cancels when ready to ship: shipment cancelled, stock returned, authorization voided', () =>
      t.run(world, async () => {
        const handle = await t.place();
        await t.reach(handle, 'ReadyForFulfillment');
        await handle.executeUpdate(cancelOrderUpdate, {
          args: [{ reason: 'ordered twice', requestedBy: 'customer' }],
        });
        const done = await handle.result();
        expect(done.compensations.map((c) => [c.name, c.status])).toEqual([
          ['cancel-shipment', 'done'],
          ['void-authorization', 'done'],
          ['release-inventory', 'done'],
        ]);
        expect(world.ledger.map((l) => l.kind)).toEqual(['authorization', 'void']);
        expect(world.heldBy(done.orderId, await t.now())).toEqual({
          reservations: [],
          authorizations: [],
        });
        expect(world.told(done.orderId)).toEqual(['confirmed', 'cancelled']);
      }));

    it('refuses to cancel once shipped, and says why', () =>
      t.run(world, async () => {
        const handle = await t.place();
        await t.reach(handle, 'ReadyForFulfillment');
        await handle.signal(shipmentDispatchedSignal, {});
        await t.reach(handle, 'Shipped');
        const refused = handle.executeUpdate(cancelOrderUpdate, {
          args: [{ reason: 'too late', requestedBy: 'customer' }],
        });
        await expect(refused).rejects.toThrow(WorkflowUpdateFailedError);
        await expect(refused).rejects.toMatchObject({
          cause: {
            message: `the order is SHIPPED and can no longer be cancelled: ${RETURN_INSTEAD}`,
          },
        });
        expect((await handle.query(orderStatusQuery)).stage).toBe('Shipped');
        await handle.signal(orderDeliveredSignal);
        await handle.result();
      }));

    it('keeps retrying a failing compensation, flags it meanwhile, and clears the flag when it succeeds', () =>
      t.run(world, async () => {
        world.declineCustomers.add('customer-1');
        world.failNext.set('releaseInventory', 5);
        const handle = await t.place();
        const done = await handle.result();
        await t.keepHistory(handle, 'compensation-retried');
        expect(done.stage).toBe('Cancelled');
        expect(world.calls.get('releaseInventory')).toBe(6);
        const failed = world.events.filter(
          (e) => e.orderId === done.orderId && e.eventType === 'CompensationFailed',
        );
        expect(failed).toHaveLength(1);
        expect(failed[0]?.payload.compensation).toBe('release-inventory');
        const flagged = world.projections.filter(
          (v) => v.orderId === done.orderId && v.needsAttention.startsWith('CompensationFailing'),
        );
        expect(flagged.length).toBeGreaterThan(0);
        expect(done.needsAttention).toBe('');
        expect(done.compensations).toEqual([
          expect.objectContaining({ name: 'release-inventory', status: 'done', attempts: 2 }),
        ]);
        expect(world.heldBy(done.orderId, await t.now()).reservations).toEqual([]);
      }));

    it('cancels with compensation when stock is out, holding nothing and charging nothing', () =>
      t.run(world, async () => {
        const done = await (
          await t.place({ items: [{ sku: 'SKU-1', quantity: 1_000, unitPriceMinor: 100 }] })
        ).result();
        expect(done.stage).toBe('Cancelled');
        expect(done.history.at(-1)?.reason).toBe('OutOfStock');
        expect(world.ledger).toEqual([]);
      }));
  });

  it('starting the same order twice runs it once', () =>
    t.run(world, async () => {
      const first = await t.place({ orderId: 'same-order' });
      await t.reach(first, 'ReadyForFulfillment');
      const second = await t.place({ orderId: 'same-order' });
      expect((await second.describe()).runId).toBe((await first.describe()).runId);
      expect(world.ledger.filter((l) => l.kind === 'authorization')).toHaveLength(1);
    }));
});
