/**
 * The backlog monitor's one activity: measure the fraud stage of this worker's orders from
 * Temporal visibility (the same search attributes an operator queries in the Web UI), then let
 * the degraded-mode store switch the mode if a threshold was crossed. It answers when to look
 * again, from this worker's configuration, so a changed interval applies without restarting
 * the monitor workflow.
 */
import type { Client } from '@temporalio/client';
import type { FraudBacklog } from '@order-platform/domain';
import type { DegradedModeStore } from '@order-platform/stores';

export interface FraudBacklogGauge {
  /** Orders awaiting a fraud decision, and those waiting longer than `targetMs`. */
  measure(targetMs: number): Promise<FraudBacklog>;
}

/** Counts running orders of one task queue by `OrderStage` and `StageEnteredAt`. */
export class VisibilityFraudBacklog implements FraudBacklogGauge {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  async measure(targetMs: number): Promise<FraudBacklog> {
    const waitingQuery = `TaskQueue = '${this.taskQueue}' AND ExecutionStatus = 'Running' AND OrderStage = 'AwaitingFraudDecision'`;
    const lateSince = new Date(Date.now() - targetMs).toISOString();
    const [waiting, overdue] = await Promise.all([
      this.client.workflow.count(waitingQuery),
      this.client.workflow.count(`${waitingQuery} AND StageEnteredAt < '${lateSince}'`),
    ]);
    return { waiting: waiting.count, overdue: overdue.count };
  }
}

export interface BacklogMonitorDependencies {
  gauge: FraudBacklogGauge;
  modes: Pick<DegradedModeStore, 'get' | 'measure'>;
  intervalMs: () => number;
  onSwitch?: (active: boolean, reason: string) => void;
}

export function createBacklogMonitorActivities(deps: BacklogMonitorDependencies) {
  return {
    async checkBacklog(): Promise<{ active: boolean; switched: boolean; nextCheckInMs: number }> {
      const { config } = await deps.modes.get('fraud-backlog');
      const backlog = await deps.gauge.measure(config.fraudTargetMs);
      const { state, switched } = await deps.modes.measure('fraud-backlog', backlog);
      if (switched) deps.onSwitch?.(state.active, state.reason ?? '');
      return { active: state.active, switched, nextCheckInMs: deps.intervalMs() };
    },
  };
}

export type BacklogMonitorActivities = ReturnType<typeof createBacklogMonitorActivities>;
