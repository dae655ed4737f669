/**
 * Where a workflow's time goes, read from its Temporal history: when it reached each stage (the
 * `OrderStage` search attribute upsert, which the order workflow and the baseline both do), how
 * many workflow tasks and activities it took to get there, and how long those waited in the
 * task queue and ran. Event times are the server's, so both sides are timed on one clock.
 */
import type { temporal } from '@temporalio/proto';
import { temporal as proto } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = proto.api.enums.v1.EventType;

export interface WorkflowCost {
  workflowTasks: number;
  activities: number;
  /** Run by the worker inside a workflow task; only a marker in the history. */
  localActivities: number;
  events: number;
  /**
   * Summed over the workflow's tasks: waiting in the queue, then from the worker taking the
   * task to the server recording its completion (a busy server's persistence shows up here).
   */
  workflowTaskQueueMs: number;
  workflowTaskRunMs: number;
  /** Summed over its activities: waiting in the queue, then start to recorded completion. */
  activityQueueMs: number;
  activityRunMs: number;
  /** Start-to-close per activity type, summed. */
  activityRunMsByType: Record<string, number>;
}

const timeMs = (event: HistoryEvent): number => {
  const at = event.eventTime;
  if (!at) return Number.NaN;
  return Number(at.seconds ?? 0) * 1000 + (at.nanos ?? 0) / 1e6;
};

export const workflowStartedAt = (events: HistoryEvent[]): number => timeMs(events[0]!);

/** The time the workflow first set OrderStage to `stage`; undefined if it never did. */
export function stageReachedAt(events: HistoryEvent[], stage: string): number | undefined {
  const event = events.find((e) => stageOf(e) === stage);
  return event ? timeMs(event) : undefined;
}

function stageOf(event: HistoryEvent): string | undefined {
  if (event.eventType !== EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES) return undefined;
  const payload =
    event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[
      'OrderStage'
    ];
  if (!payload?.data) return undefined;
  const value = JSON.parse(Buffer.from(payload.data).toString('utf8')) as unknown;
  return String(Array.isArray(value) ? value[0] : value);
}

/** An activity on a task queue, or a local activity (run inside the workflow task). */
export type Step = 'activity' | 'local';

/** How the TypeScript SDK's core records a local activity's result. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

function stepOf(event: HistoryEvent): Step | undefined {
  if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) return 'activity';
  const marker = event.markerRecordedEventAttributes?.markerName;
  if (event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && marker === LOCAL_ACTIVITY_MARKER)
    return 'local';
  return undefined;
}

/** The activities and local activities before each stage's marker, from the previous marker. */
export function stepsBetweenStages(events: HistoryEvent[], stages: string[]): Step[][] {
  const segments: Step[][] = [];
  let steps: Step[] = [];
  let next = 0;
  for (const event of events) {
    const step = stepOf(event);
    if (step) steps.push(step);
    if (next < stages.length && stageOf(event) === stages[next]) {
      segments.push(steps);
      steps = [];
      next += 1;
    }
  }
  if (segments.length !== stages.length) {
    throw new Error(`the history does not reach every stage of ${stages.join(', ')}`);
  }
  return segments;
}

/** What the workflow spent up to `untilMs` (server time). */
export function costUntil(events: HistoryEvent[], untilMs: number): WorkflowCost {
  const byId = new Map<number, HistoryEvent>();
  const cost: WorkflowCost = {
    workflowTasks: 0,
    activities: 0,
    localActivities: 0,
    events: 0,
    workflowTaskQueueMs: 0,
    workflowTaskRunMs: 0,
    activityQueueMs: 0,
    activityRunMs: 0,
    activityRunMsByType: {},
  };
  for (const event of events) {
    if (timeMs(event) > untilMs) break;
    byId.set(Number(event.eventId), event);
    cost.events += 1;
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        const scheduled = byId.get(
          Number(event.workflowTaskStartedEventAttributes?.scheduledEventId),
        );
        if (scheduled) cost.workflowTaskQueueMs += timeMs(event) - timeMs(scheduled);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        cost.workflowTasks += 1;
        const started = byId.get(
          Number(event.workflowTaskCompletedEventAttributes?.startedEventId),
        );
        if (started) cost.workflowTaskRunMs += timeMs(event) - timeMs(started);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        const attributes = event.activityTaskCompletedEventAttributes;
        const scheduled = byId.get(Number(attributes?.scheduledEventId));
        const started = byId.get(Number(attributes?.startedEventId));
        if (!scheduled || !started) break;
        cost.activities += 1;
        // The Started event is written with the completion but carries the time it started.
        cost.activityQueueMs += timeMs(started) - timeMs(scheduled);
        const run = timeMs(event) - timeMs(started);
        cost.activityRunMs += run;
        const type = scheduled.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        cost.activityRunMsByType[type] = (cost.activityRunMsByType[type] ?? 0) + run;
        break;
      }
      default:
        if (stepOf(event) === 'local') cost.localActivities += 1;
        break;
    }
  }
  return cost;
}

/** The per-workflow mean of each cost. */
export function meanCost(costs: WorkflowCost[]): WorkflowCost {
  const n = Math.max(1, costs.length);
  const sum = (pick: (c: WorkflowCost) => number) => costs.reduce((s, c) => s + pick(c), 0) / n;
  const byType: Record<string, number> = {};
  for (const cost of costs) {
    for (const [type, ms] of Object.entries(cost.activityRunMsByType)) {
      byType[type] = (byType[type] ?? 0) + ms / n;
    }
  }
  return {
    workflowTasks: sum((c) => c.workflowTasks),
    activities: sum((c) => c.activities),
    localActivities: sum((c) => c.localActivities),
    events: sum((c) => c.events),
    workflowTaskQueueMs: sum((c) => c.workflowTaskQueueMs),
    workflowTaskRunMs: sum((c) => c.workflowTaskRunMs),
    activityQueueMs: sum((c) => c.activityQueueMs),
    activityRunMs: sum((c) => c.activityRunMs),
    activityRunMsByType: byType,
  };
}
