/**
 * The workflow baseline: the same number of activities as the order workflow runs between its
 * stages (counted from a real order's history in the same run), each a no-op, the same two
 * outside facts as signals, and the stage marked with the same search attribute at the same
 * points, so both are timed from their histories the same way. What is left of the difference
 * is the order workflow's own work: its downstream calls, events, projection and state.
 */
import {
  condition,
  defineSignal,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export interface BareOrderPlan {
  /** Activities before each stage marker, in the order workflow's order. */
  toConfirmed: number;
  toReadyForFulfillment: number;
  toShipped: number;
  toDelivered: number;
}

export const bareDispatchedSignal = defineSignal('shipmentDispatched');
export const bareDeliveredSignal = defineSignal('orderDelivered');

const ORDER_STAGE = defineSearchAttributeKey('OrderStage', SearchAttributeType.KEYWORD);

// The order workflow's downstream calls have this start-to-close timeout (workflows/src/order/activities.ts).
const { noop } = proxyActivities<{ noop(step: number): Promise<void> }>({
  startToCloseTimeout: '30 seconds',
});

export async function bareOrder(plan: BareOrderPlan): Promise<void> {
  let dispatched = false;
  let delivered = false;
  setHandler(bareDispatchedSignal, () => void (dispatched = true));
  setHandler(bareDeliveredSignal, () => void (delivered = true));
  let step = 0;
  const run = async (count: number, stage: string): Promise<void> => {
    for (let i = 0; i < count; i += 1) await noop((step += 1));
    upsertSearchAttributes([{ key: ORDER_STAGE, value: stage }]);
  };
  await run(plan.toConfirmed, 'Confirmed');
  await run(plan.toReadyForFulfillment, 'ReadyForFulfillment');
  await condition(() => dispatched);
  await run(plan.toShipped, 'Shipped');
  await condition(() => delivered);
  await run(plan.toDelivered, 'Delivered');
}
