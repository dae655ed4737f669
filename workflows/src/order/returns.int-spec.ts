/**
 * Returns on Temporal's time-skipping server: a customer sends back part of a shipped order,
 * the warehouse records the parcel back, the stock is restocked once and the lines refunded
 * (never more than was captured); a parcel that never comes back lets the return lapse with
 * nothing refunded; a return of more than was bought, or before dispatch, is refused at once.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { FakeOrderWorld } from '../testing/fake-order-world';
import { type OrderHandle, OrderTestEnv } from '../testing/order-test-env';
import {
  orderDeliveredSignal,
  orderStatusQuery,
  requestReturnUpdate,
  returnParcelReceivedUpdate,
  type ReturnRequest,
  returnReceivedSignal,
  shipmentDispatchedSignal,
} from './messages';
import { ORDER_SEARCH_ATTRIBUTE_KEYS } from './search-attributes';

const twoLines = {
  items: [
    { sku: 'SKU-1', quantity: 2, unitPriceMinor: 2_500 },
    { sku: 'SKU-2', quantity: 1, unitPriceMinor: 4_000 },
  ],
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const returning = (lines: ReturnRequest['lines']) => ({
  args: [{ lines, requestedBy: 'customer-1' }] as [ReturnRequest],
});

describe('returns after dispatch', () => {
  let t: OrderTestEnv;
  let world: FakeOrderWorld;

  beforeAll(async () => {
    t = await OrderTestEnv.start();
  });
  afterAll(() => t?.teardown());
  beforeEach(() => {
    world = new FakeOrderWorld();
  });

  async function delivered(handle: OrderHandle): Promise<void> {
    await t.reach(handle, 'ReadyForFulfillment');
    await handle.signal(shipmentDispatchedSignal, {});
    await t.reach(handle, 'Shipped');
    await handle.signal(orderDeliveredSignal);
    await t.reach(handle, 'Delivered');
  }

  it('restocks the returned line once and refunds it: the ledger shows capture minus refund', () =>
    t.run(world, async () => {
      const handle = await t.place(twoLines);
      await delivered(handle);
      const onHandBefore = world.onHand.get('SKU-1')!;

      const authorized = await handle.executeUpdate(
        requestReturnUpdate,
        returning([{ sku: 'SKU-1', quantity: 1 }]),
      );
      expect(authorized).toMatchObject({
        state: 'authorized',
        lines: [{ sku: 'SKU-1', quantity: 1, refundMinor: 2_500 }],
        refundedMinor: 0,
      });
      const requested = await handle.query(orderStatusQuery);
      expect(requested.customer.status).toBe('RETURN_REQUESTED');

      await handle.signal(returnReceivedSignal, { returnId: authorized.returnId });
      const done = await handle.result();

      expect(done.stage).toBe('Delivered');
      expect(done.customer.status).toBe('REFUNDED');
      expect(done.returns).toEqual([
        expect.objectContaining({
          returnId: authorized.returnId,
          state: 'refunded',
          refundedMinor: 2_500,
        }),
      ]);
      expect(world.ledger.map((e) => [e.kind, e.amountMinor])).toEqual([
        ['authorization', 9_000],
        ['capture', 9_000],
        ['refund', 2_500],
      ]);
      expect(world.restocked).toEqual([
        { returnId: authorized.returnId, orderId: done.orderId, sku: 'SKU-1', quantity: 1 },
      ]);
      expect(world.onHand.get('SKU-1')).toBe(onHandBefore + 1);
      expect(world.eventTypes(done.orderId).slice(-5)).toEqual([
        'OrderDelivered',
        'ReturnAuthorized',
        'ReturnReceived',
        'InventoryRestocked',
        'PaymentRefunded',
      ]);
      expect(world.told(done.orderId)).toEqual([
        'confirmed',
        'shipped',
        'delivered',
        'return-authorized',
        'refunded',
      ]);
      await t.keepHistory(handle, 'partial-return-refunded');
    }));

  it('lets a return lapse when the parcel never comes back: nothing restocked or refunded', () =>
    t.run(world, async () => {
      const handle = await t.place(twoLines);
      await delivered(handle);
      await handle.executeUpdate(requestReturnUpdate, returning([{ sku: 'SKU-2', quantity: 1 }]));

      const done = await handle.result();

      expect(done.returns).toEqual([
        expect.objectContaining({ state: 'lapsed', refundedMinor: 0 }),
      ]);
      expect(done.customer.status).toBe('DELIVERED');
      expect(world.ledger.map((e) => e.kind)).toEqual(['authorization', 'capture']);
      expect(world.restocked).toEqual([]);
      expect(world.eventTypes(done.orderId)).toContain('ReturnLapsed');
      expect(world.told(done.orderId).slice(-2)).toEqual(['return-authorized', 'return-lapsed']);
      await t.keepHistory(handle, 'return-lapsed');
    }));

  it('refuses a parcel that comes back after its return lapsed, and takes one still awaited', () =>
    t.run(world, async () => {
      const handle = await t.place(twoLines);
      await delivered(handle);
      const early = await handle.executeUpdate(
        requestReturnUpdate,
        returning([{ sku: 'SKU-1', quantity: 1 }]),
      );
      await t.env.sleep(10 * DAY_MS);
      const late = await handle.executeUpdate(
        requestReturnUpdate,
        returning([{ sku: 'SKU-2', quantity: 1 }]),
      );
      // Past the first parcel's due date (30 days), before the second's.
      await t.env.sleep(25 * DAY_MS);
      const lapsed = await handle
        .executeUpdate(returnParcelReceivedUpdate, { args: [{ returnId: early.returnId }] })
        .catch((error: unknown) => error);
      expect(lapsed).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((lapsed as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'return-lapsed' });
      const unknown = await handle
        .executeUpdate(returnParcelReceivedUpdate, { args: [{ returnId: 'return-nope' }] })
        .catch((error: unknown) => error);
      expect((unknown as WorkflowUpdateFailedError).cause).toMatchObject({
        type: 'return-not-found',
      });

      const taken = await handle.executeUpdate(returnParcelReceivedUpdate, {
        args: [{ returnId: late.returnId }],
      });
      expect(taken).toMatchObject({ returnId: late.returnId });
      const done = await handle.result();
      expect(done.returns?.map((r) => [r.returnId, r.state])).toEqual([
        [early.returnId, 'lapsed'],
        [late.returnId, 'refunded'],
      ]);
      expect(world.ledger.map((e) => [e.kind, e.amountMinor])).toEqual([
        ['authorization', 9_000],
        ['capture', 9_000],
        ['refund', 4_000],
      ]);
      await t.keepHistory(handle, 'return-parcel-received-update');
    }));

  it('refuses a return of more than was bought, naming the line, and one before dispatch', () =>
    t.run(world, async () => {
      const handle = await t.place(twoLines);
      await t.reach(handle, 'ReadyForFulfillment');
      const early = handle.executeUpdate(
        requestReturnUpdate,
        returning([{ sku: 'SKU-1', quantity: 1 }]),
      );
      await expect(early).rejects.toThrow(WorkflowUpdateFailedError);
      await expect(early).rejects.toMatchObject({ cause: { type: 'not-dispatched' } });

      await handle.signal(shipmentDispatchedSignal, {});
      await t.reach(handle, 'Shipped');
      // Requested while the parcel is on its way: the window starts with the delivery.
      await handle.executeUpdate(requestReturnUpdate, returning([{ sku: 'SKU-1', quantity: 1 }]));
      const tooMany = handle.executeUpdate(
        requestReturnUpdate,
        returning([{ sku: 'SKU-1', quantity: 2 }]),
      );
      await expect(tooMany).rejects.toMatchObject({
        cause: { type: 'more-than-bought', details: ['SKU-1'] },
      });
      const unknown = handle.executeUpdate(
        requestReturnUpdate,
        returning([{ sku: 'SKU-9', quantity: 1 }]),
      );
      await expect(unknown).rejects.toMatchObject({ cause: { type: 'unknown-line' } });

      const view = await handle.query(orderStatusQuery);
      expect(view.returns).toHaveLength(1);
      expect(world.ledger.map((e) => e.kind)).toEqual(['authorization', 'capture']);
    }));

  it('refuses a return once the return window after the delivery has closed', () =>
    t.run(world, async () => {
      const handle = await t.place(twoLines);
      await delivered(handle);
      // A return a day after the delivery keeps the run open a day past the window.
      await t.skip(`${DAY_MS}ms`);
      await handle.executeUpdate(requestReturnUpdate, returning([{ sku: 'SKU-1', quantity: 1 }]));
      await t.skip(`${world.policies.standard.returnWindowMs - DAY_MS + HOUR_MS}ms`);
      const late = handle.executeUpdate(
        requestReturnUpdate,
        returning([{ sku: 'SKU-2', quantity: 1 }]),
      );
      await expect(late).rejects.toMatchObject({ cause: { type: 'return-window-closed' } });
    }));

  it('shows operators the open return and when its parcel is due, then that it settled', () =>
    t.run(world, async () => {
      const handle = await t.place(twoLines);
      await delivered(handle);
      const returnAttributes = async () => {
        const { typedSearchAttributes } = await handle.describe();
        return {
          state: typedSearchAttributes.get(ORDER_SEARCH_ATTRIBUTE_KEYS.ReturnState),
          deadline: typedSearchAttributes.get(ORDER_SEARCH_ATTRIBUTE_KEYS.ReturnDeadline),
        };
      };
      expect(await returnAttributes()).toEqual({ state: undefined, deadline: undefined });

      const first = await handle.executeUpdate(
        requestReturnUpdate,
        returning([{ sku: 'SKU-1', quantity: 1 }]),
      );
      await t.skip(`${HOUR_MS}ms`);
      const second = await handle.executeUpdate(
        requestReturnUpdate,
        returning([{ sku: 'SKU-2', quantity: 1 }]),
      );
      // The earliest parcel still awaited is the one operators chase first.
      expect(await returnAttributes()).toEqual({
        state: 'open',
        deadline: new Date(first.parcelDueBy),
      });

      await handle.signal(returnReceivedSignal, { returnId: first.returnId });
      for (let polls = 0; ; polls += 1) {
        const view = await handle.query(orderStatusQuery);
        if (view.returns?.[0]?.state === 'refunded') break;
        if (polls > 400) throw new Error('the first return was not refunded');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(await returnAttributes()).toEqual({
        state: 'open',
        deadline: new Date(second.parcelDueBy),
      });

      const done = await handle.result();
      expect(done.returns?.map((r) => r.state)).toEqual(['refunded', 'lapsed']);
      expect(done.returns?.[0]).toMatchObject({
        receivedAt: expect.any(String),
        refundedAt: expect.any(String),
      });
      expect(Date.parse(done.returns![1]!.lapsedAt!)).toBeGreaterThanOrEqual(
        Date.parse(second.parcelDueBy),
      );
      expect(await returnAttributes()).toEqual({ state: 'settled', deadline: undefined });
      await t.keepHistory(handle, 'returns-changes-consolidated');
    }));
});
