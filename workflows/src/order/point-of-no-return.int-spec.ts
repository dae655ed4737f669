/**
 * The point of no return on Temporal's time-skipping server: a cancel is accepted only while
 * it can still undo everything, and the answer the caller gets is what happened. Once the
 * parcel has left, a cancel is refused with what to do instead, nothing is voided or restocked
 * and the payment is captured once, whether the platform heard of the dispatch before the
 * cancel, in the same workflow task, during a slow capture, or only from the warehouse's
 * refusal to recall the parcel.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { RETURN_INSTEAD } from '@order-platform/domain';
import { eventually } from '@order-platform/tools';
import { FakeOrderWorld } from '../testing/fake-order-world';
import { type OrderHandle, OrderTestEnv } from '../testing/order-test-env';
import {
  cancelOrderUpdate,
  type CancelRequest,
  orderDeliveredSignal,
  orderStatusQuery,
  shipmentDispatchedSignal,
} from './messages';

const CUSTOMER_CANCEL = {
  args: [{ reason: 'changed my mind', requestedBy: 'customer-1' }] as [CancelRequest],
};

describe('the point of no return', () => {
  let t: OrderTestEnv;
  let world: FakeOrderWorld;

  beforeAll(async () => {
    t = await OrderTestEnv.start();
  });
  afterAll(() => t?.teardown());
  beforeEach(() => {
    world = new FakeOrderWorld();
  });

  /** Shipped, delivered, paid once, and nothing undone: what a refused cancel must leave. */
  async function expectShippedAndPaidOnce(handle: OrderHandle): Promise<void> {
    await t.reach(handle, 'Shipped');
    await handle.signal(orderDeliveredSignal);
    const done = await handle.result();
    expect(done.stage).toBe('Delivered');
    expect(done.needsAttention).toBe('');
    expect(world.ledger.map((entry) => entry.kind)).toEqual(['authorization', 'capture']);
    expect([...world.reservations.values()].map((r) => r.state)).toEqual(['allocated']);
    expect(world.eventTypes(done.orderId)).not.toEqual(expect.arrayContaining(['OrderCancelled']));
    expect(world.told(done.orderId)).toEqual(['confirmed', 'shipped', 'delivered']);
  }

  const refusedWithReturnHint = async (cancel: Promise<unknown>) => {
    await expect(cancel).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(cancel).rejects.toMatchObject({
      cause: { message: expect.stringContaining(RETURN_INSTEAD) },
    });
  };

  it('refuses a cancel once the warehouse reported the dispatch, before the capture is done', () =>
    t.run(world, async () => {
      const handle = await t.place();
      await t.reach(handle, 'ReadyForFulfillment');
      await handle.signal(shipmentDispatchedSignal, {});
      await refusedWithReturnHint(handle.executeUpdate(cancelOrderUpdate, CUSTOMER_CANCEL));
      await expectShippedAndPaidOnce(handle);
      await t.keepHistory(handle, 'cancel-refused-after-dispatch');
    }));

  it('applies a dispatch and a cancel arriving in one workflow task in arrival order: the dispatch wins', async () => {
    let handle!: OrderHandle;
    await t.run(
      world,
      async () => {
        handle = await t.place();
        await t.reach(handle, 'ReadyForFulfillment');
      },
      {},
      { leaveRunning: true },
    );
    // No worker now: the dispatch, then the cancel, wait for the order's next task together.
    await handle.signal(shipmentDispatchedSignal, {});
    const cancel = handle.executeUpdate(cancelOrderUpdate, CUSTOMER_CANCEL);
    cancel.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await t.run(
      world,
      async () => {
        await refusedWithReturnHint(cancel);
        await expectShippedAndPaidOnce(handle);
      },
      {},
      { taskQueue: t.currentTaskQueue },
    );
  });

  it('refuses a cancel during a slow capture, and every status read says so meanwhile', () =>
    t.run(world, async () => {
      world.failNext.set('capturePayment', 2);
      const handle = await t.place();
      await t.reach(handle, 'ReadyForFulfillment');
      await handle.signal(shipmentDispatchedSignal, {});
      await eventually('the capture under way', async () =>
        (world.calls.get('capturePayment') ?? 0) >= 1 ? true : undefined,
      );
      const capturing = await handle.query(orderStatusQuery);
      expect(capturing.stage).toBe('ReadyForFulfillment');
      expect(capturing.cancellable).toBe(false);
      expect(world.readModel.get(capturing.orderId)?.cancellable).toBe(false);
      await refusedWithReturnHint(handle.executeUpdate(cancelOrderUpdate, CUSTOMER_CANCEL));
      await expectShippedAndPaidOnce(handle);
    }));

  it('ships after all when the warehouse will not recall a parcel that had left: the cancel fails, visibly', () =>
    t.run(world, async () => {
      const handle = await t.place();
      const ready = await t.reach(handle, 'ReadyForFulfillment');
      expect(ready.cancellable).toBe(true);
      // The warehouse dispatched; the platform has not heard yet.
      for (const shipment of world.shipments.values()) shipment.state = 'dispatched';
      await refusedWithReturnHint(handle.executeUpdate(cancelOrderUpdate, CUSTOMER_CANCEL));
      const shipped = await t.reach(handle, 'Shipped');
      expect(shipped.compensations).toEqual([]);
      expect(shipped.cancellable).toBe(false);
      const events = world.eventTypes(shipped.orderId);
      expect(events).toContain('CancellationOverturned');
      expect(events).not.toEqual(
        expect.arrayContaining(['PaymentVoided', 'InventoryReleased', 'CompensationFailed']),
      );
      await expectShippedAndPaidOnce(handle);
      await t.keepHistory(handle, 'cancel-overturned-by-dispatch');
    }));

  it('stops undoing and flags the order when a parcel left after its authorization ran out for good', () =>
    t.run(world, async () => {
      const handle = await t.place();
      await t.reach(handle, 'ReadyForFulfillment');
      await t.skip('7 days');
      await t.skip('1 hour');
      await t.reach(handle, 'ReadyForFulfillment');
      for (const shipment of world.shipments.values()) shipment.state = 'dispatched';
      await t.skip('7 days');
      const done = await handle.result();
      expect(done.stage).toBe('Cancelled');
      expect(done.needsAttention).toBe('DispatchedWithoutPayment');
      // The stock went with the parcel: it is not released as if it were still on the shelf.
      expect([...world.reservations.values()].map((r) => r.state)).toEqual(['allocated']);
      expect(world.ledger.filter((entry) => entry.kind === 'capture')).toEqual([]);
      expect(world.eventTypes(done.orderId)).toContain('CompensationFailed');
    }));

  it('undoes the shipment, then the payment, then the stock, though the payment was renewed last', () =>
    t.run(world, async () => {
      const handle = await t.place();
      await t.reach(handle, 'ReadyForFulfillment');
      await t.skip('7 days');
      await t.skip('1 hour');
      const renewed = await t.reach(handle, 'ReadyForFulfillment');
      expect(world.eventTypes(renewed.orderId)).toContain('PaymentAuthorizationExpired');
      const cancelled = await handle.executeUpdate(cancelOrderUpdate, CUSTOMER_CANCEL);
      expect(cancelled.customer.status).toBe('CANCELLED');
      const done = await handle.result();
      expect(done.compensations.map((c) => [c.name, c.status])).toEqual([
        ['cancel-shipment', 'done'],
        ['void-authorization', 'done'],
        ['release-inventory', 'done'],
      ]);
      expect(world.heldBy(done.orderId, await t.now())).toEqual({
        reservations: [],
        authorizations: [],
      });
      expect(world.ledger.map((entry) => entry.kind)).toEqual([
        'authorization',
        'void',
        'authorization',
        'void',
      ]);
      await t.keepHistory(handle, 'cancelled-after-renewal-in-dependency-order');
    }));
});
