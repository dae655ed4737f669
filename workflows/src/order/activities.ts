/**
 * Activity stubs of the workflows that follow an order, with their timeouts and their retry
 * policies (workflows/src/retry-policies.ts): the platform's own work on the order's task
 * queue, each downstream's calls on its own bulkhead.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { OrderActivities } from '@order-platform/activities';
import { bulkheadTaskQueue, type Downstream, type PlacedOrder } from '@order-platform/domain';
import {
  COMPENSATION,
  DOWNSTREAM_CALL,
  DOWNSTREAM_CALL_TRY_MS,
  MUST_HAPPEN,
  UNTIL_DONE,
} from '../retry-policies';

const DOWNSTREAM_CALL_OPTIONS = {
  startToCloseTimeout: DOWNSTREAM_CALL_TRY_MS,
  retry: DOWNSTREAM_CALL,
} as const;
const MUST_HAPPEN_OPTIONS = { startToCloseTimeout: '15 seconds', retry: MUST_HAPPEN } as const;
const COMPENSATION_OPTIONS = { startToCloseTimeout: '30 seconds', retry: COMPENSATION } as const;

/**
 * On the order task queue: the platform's own work (policy, routes, events, read model), which
 * no downstream can slow down.
 */
export const mustHappen = proxyActivities<OrderActivities>(MUST_HAPPEN_OPTIONS);
export const platform = proxyActivities<OrderActivities>(DOWNSTREAM_CALL_OPTIONS);

/**
 * Recording a change as a local activity: the worker that runs the workflow task runs it, inside
 * that task, so it costs no activity task and no workflow task of its own (measured in bench/:
 * an activity's round trips through the server cost about as much as the platform's work in it).
 * Same policy as `mustHappen`, never given up. Tries closer than `localRetryThreshold` are
 * retried in the worker; longer pauses (a dependency down for minutes) wait on a durable timer,
 * so the workflow task is not held open and a restarted worker goes on from the same attempt.
 */
export const recordLocally = proxyLocalActivities<OrderActivities>({
  ...MUST_HAPPEN_OPTIONS,
  localRetryThreshold: '10 seconds',
});

/**
 * Each downstream's calls on its own task queue (its bulkhead), found from the order's task
 * queue. Activities inherit the order's priority, so an expedited order overtakes a backlog in
 * every queue it passes through.
 */
export function bulkheads(orderTaskQueue: string) {
  const on = (downstream: Downstream) => ({
    taskQueue: bulkheadTaskQueue(orderTaskQueue, downstream),
  });
  const calls = (downstream: Downstream) => ({
    call: proxyActivities<OrderActivities>({ ...DOWNSTREAM_CALL_OPTIONS, ...on(downstream) }),
    compensate: proxyActivities<OrderActivities>({ ...COMPENSATION_OPTIONS, ...on(downstream) }),
  });
  return {
    inventory: calls('inventory'),
    payment: calls('payment'),
    fulfillment: calls('fulfillment'),
    notifications: proxyActivities<OrderActivities>({
      ...MUST_HAPPEN_OPTIONS,
      ...on('notifications'),
    }),
    /**
     * Fraud screening may take as long as the provider's queue: it heartbeats, retries within
     * the fraud SLA only, and is cancelled when the workflow stops waiting for it.
     */
    screening: (fraudSlaMs: number) =>
      proxyActivities<OrderActivities>({
        scheduleToCloseTimeout: fraudSlaMs,
        startToCloseTimeout: fraudSlaMs,
        heartbeatTimeout: '10 seconds',
        retry: UNTIL_DONE,
        ...on('fraud'),
      }).screenOrder,
    /** Authorization gets the payment SLA as its whole budget, retries included. */
    authorization: (paymentSlaMs: number) =>
      proxyActivities<OrderActivities>({
        scheduleToCloseTimeout: paymentSlaMs,
        startToCloseTimeout: '30 seconds',
        retry: UNTIL_DONE,
        ...on('payment'),
      }).authorizePayment,
  };
}

export type Bulkheads = ReturnType<typeof bulkheads>;

/** What the fraud provider is asked about an order (the same step, so the same idempotency key). */
export const screeningRequest = (order: PlacedOrder, totalMinor: number) => ({
  step: 'screen-order',
  orderId: order.orderId,
  customerId: order.customerId,
  segment: order.segment,
  totalMinor,
  currency: order.currency,
});
