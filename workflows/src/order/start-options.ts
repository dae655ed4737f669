/**
 * How an order workflow is started, in one place for whoever starts one (the gateway; the
 * benchmarks, to measure the same thing): its id from the order id, exactly-once starts, the
 * priority lane, and the search attributes set from the start, so the order is findable (and
 * counted by admission) before a worker has picked it up.
 */
import {
  orderTotalMinor,
  type PlacedOrder,
  PRIORITY,
  workflowIdForOrder,
} from '@order-platform/domain';
import { startingSearchAttributes } from './search-attributes';

export function orderStartOptions(order: PlacedOrder, taskQueue: string) {
  return {
    taskQueue,
    workflowId: workflowIdForOrder(order.orderId),
    args: [order] as [PlacedOrder],
    // A repeat finds the running workflow; a finished one is never started again.
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    // The priority lane past admission: every task of the order (its workflow tasks and the
    // activities in each bulkhead, which inherit it) overtakes a standard backlog.
    priority: { priorityKey: order.expedited ? PRIORITY.expedited : PRIORITY.standard },
    typedSearchAttributes: startingSearchAttributes({
      stage: 'AcceptedForProcessing',
      stageEnteredAt: new Date(order.placedAt),
      stageDeadline: null,
      customerId: order.customerId,
      totalMinor: orderTotalMinor(order),
      migrationRoute: null,
      needsAttention: '',
    }),
  };
}
