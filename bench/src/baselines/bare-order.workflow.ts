/**
 * The workflow baseline: the same activities as the order workflow runs between its stages
 * (counted from a real order's history in the same run, local activities as local activities),
 * each a no-op, the same two outside facts as signals, and the stage marked with the same search
 * attribute at the same points, so both are timed from their histories the same way. What is
 * left of the difference is the order workflow's own work: its downstream calls, events,
 * projection and state.
 */
import {
  condition,
  defineSignal,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Step } from '../support/history';

export interface BareOrderPlan {
  /** The steps before each stage marker, in the order workflow's order. */
  toConfirmed: Step[];
  toReadyForFulfillment: Step[];
  toShipped: Step[];
  toDelivered: Step[];
}

export const bareDispatchedSignal = defineSignal('shipmentDispatched');
export const bareDeliveredSignal = defineSignal('orderDelivered');

const ORDER_STAGE = defineSearchAttributeKey('OrderStage', SearchAttributeType.KEYWORD);

// The order workflow's downstream calls have this start-to-close timeout (workflows/src/order/activities.ts).
const { noop } = proxyActivities<{ noop(step: number): Promise<void> }>({
  startToCloseTimeout: '30 seconds',
});
// As the order workflow records a change (workflows/src/order/activities.ts, `recordLocally`).
const local = proxyLocalActivities<{ noop(step: number): Promise<void> }>({
  startToCloseTimeout: '15 seconds',
});

export async function bareOrder(plan: BareOrderPlan): Promise<void> {
  let dispatched = false;
  let delivered = false;
  setHandler(bareDispatchedSignal, () => void (dispatched = true));
  setHandler(bareDeliveredSignal, () => void (delivered = true));
  let step = 0;
  const run = async (steps: Step[], stage: string): Promise<void> => {
    for (const kind of steps) await (kind === 'local' ? local : { noop }).noop((step += 1));
    upsertSearchAttributes([{ key: ORDER_STAGE, value: stage }]);
  };
  await run(plan.toConfirmed, 'Confirmed');
  await run(plan.toReadyForFulfillment, 'ReadyForFulfillment');
  await condition(() => dispatched);
  await run(plan.toShipped, 'Shipped');
  await condition(() => delivered);
  await run(plan.toDelivered, 'Delivered');
}
