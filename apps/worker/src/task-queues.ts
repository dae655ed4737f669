/**
 * What each of the worker's task queues runs. The order task queue runs the workflows and the
 * platform's own activities (the order's policy, fraud route and records, the backlog monitor,
 * reconciliation, and what the strangler's workflow calls). Each downstream context has a task
 * queue of its own (its bulkhead) that runs that context's activities only, under its own
 * concurrency limit, so a slow dependency fills its own queue and never takes the others' slots.
 */
import {
  type BacklogMonitorDependencies,
  createBacklogMonitorActivities,
  createDownstreamActivities,
  createOrderPlatformActivities,
  createReconciliationActivities,
  createStranglerActivities,
  type DownstreamPorts,
  type OrderPlatformDependencies,
  type ReconciliationDependencies,
  type StranglerActivityDependencies,
} from '@order-platform/activities';
import { bulkheadTaskQueue, type Downstream, DOWNSTREAMS } from '@order-platform/domain';

export interface WorkerActivityDependencies {
  order: OrderPlatformDependencies;
  backlogMonitor: BacklogMonitorDependencies;
  reconciliation: ReconciliationDependencies;
  strangler: StranglerActivityDependencies;
  downstream: DownstreamPorts;
}

export function createWorkerActivities(deps: WorkerActivityDependencies) {
  return {
    platform: {
      ...createOrderPlatformActivities(deps.order),
      ...createBacklogMonitorActivities(deps.backlogMonitor),
      ...createReconciliationActivities(deps.reconciliation),
      ...createStranglerActivities(deps.strangler),
    },
    downstream: createDownstreamActivities(deps.downstream),
  };
}

type Activities = object;

export interface TaskQueueWorker {
  taskQueue: string;
  activities: Activities;
  /** Only the order task queue runs workflows. */
  runsWorkflows: boolean;
  maxConcurrentActivityTaskExecutions?: number;
}

export function taskQueueWorkers(
  orderTaskQueue: string,
  bulkheadLimits: Record<Downstream, number>,
  activities: { platform: Activities; downstream: Record<Downstream, Activities> },
): TaskQueueWorker[] {
  return [
    { taskQueue: orderTaskQueue, activities: activities.platform, runsWorkflows: true },
    ...DOWNSTREAMS.map((downstream) => ({
      taskQueue: bulkheadTaskQueue(orderTaskQueue, downstream),
      activities: activities.downstream[downstream],
      runsWorkflows: false,
      maxConcurrentActivityTaskExecutions: bulkheadLimits[downstream],
    })),
  ];
}
