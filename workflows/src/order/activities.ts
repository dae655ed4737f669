/**
 * Activity stubs with their timeouts and retry policies, named here once. Transient failures
 * retry (the activities add jitter through `nextRetryDelay`); business outcomes are
 * non-retryable and reach the workflow as typed failures.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { OrderActivities } from '@order-platform/activities';
import { bulkheadTaskQueue, type Downstream, type PlacedOrder } from '@order-platform/domain';

/** Calls to downstream services: quick, retried with backoff up to a cap. */
const DOWNSTREAM_CALL = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 8,
  },
} as const;

/** Publishing and projecting must not be lost: retried until the broker or database is back. */
const MUST_HAPPEN = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' }, // no attempt limit
} as const;

/** Compensations: a few quick tries per round; the saga keeps going round until they succeed. */
const COMPENSATION_CALL = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 3,
  },
} as const;

/**
 * On the order task queue: the platform's own work (policy, routes, events, read model), which
 * no downstream can slow down.
 */
export const mustHappen = proxyActivities<OrderActivities>(MUST_HAPPEN);
export const platform = proxyActivities<OrderActivities>(DOWNSTREAM_CALL);

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
    call: proxyActivities<OrderActivities>({ ...DOWNSTREAM_CALL, ...on(downstream) }),
    compensate: proxyActivities<OrderActivities>({ ...COMPENSATION_CALL, ...on(downstream) }),
  });
  return {
    inventory: calls('inventory'),
    payment: calls('payment'),
    fulfillment: calls('fulfillment'),
    notifications: proxyActivities<OrderActivities>({ ...MUST_HAPPEN, ...on('notifications') }),
    /**
     * Fraud screening may take as long as the provider's queue: it heartbeats, retries within
     * the fraud SLA only, and is cancelled when the workflow stops waiting for it.
     */
    screening: (fraudSlaMs: number) =>
      proxyActivities<OrderActivities>({
        scheduleToCloseTimeout: fraudSlaMs,
        startToCloseTimeout: fraudSlaMs,
        heartbeatTimeout: '10 seconds',
        retry: {
          initialInterval: '1 second',
          backoffCoefficient: 2,
          maximumInterval: '30 seconds',
        },
        ...on('fraud'),
      }).screenOrder,
    /** Authorization gets the payment SLA as its whole budget, retries included. */
    authorization: (paymentSlaMs: number) =>
      proxyActivities<OrderActivities>({
        scheduleToCloseTimeout: paymentSlaMs,
        startToCloseTimeout: '30 seconds',
        retry: {
          initialInterval: '1 second',
          backoffCoefficient: 2,
          maximumInterval: '30 seconds',
        },
        ...on('payment'),
      }).authorizePayment,
  };
}

/** What the fraud provider is asked about an order (the same step, so the same idempotency key). */
export const screeningRequest = (order: PlacedOrder, totalMinor: number) => ({
  step: 'screen-order',
  orderId: order.orderId,
  customerId: order.customerId,
  segment: order.segment,
  totalMinor,
  currency: order.currency,
});
