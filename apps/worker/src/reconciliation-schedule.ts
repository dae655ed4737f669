/**
 * The Temporal Schedule that runs reconciliation every RECONCILIATION_INTERVAL over the orders of
 * the last RECONCILIATION_LOOKBACK. Made (or brought in line with the configuration) when the
 * worker starts; overlapping runs are skipped, not queued, so a slow run cannot pile up.
 */
import {
  type Client,
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type ScheduleOptionsAction,
} from '@temporalio/client';
import { RECONCILIATION_WORKFLOW_TYPE, type ReconciliationInput } from '@order-platform/workflows';

export const RECONCILIATION_SCHEDULE_ID = 'order-reconciliation';

export async function ensureReconciliationSchedule(
  client: Client,
  options: { taskQueue: string; intervalMs: number; input: ReconciliationInput },
): Promise<void> {
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: RECONCILIATION_WORKFLOW_TYPE,
    workflowId: 'reconciliation-scheduled',
    taskQueue: options.taskQueue,
    args: [options.input],
  };
  const spec = { intervals: [{ every: options.intervalMs }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  try {
    await client.schedule.create({
      scheduleId: RECONCILIATION_SCHEDULE_ID,
      spec,
      action,
      policies,
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule
      .getHandle(RECONCILIATION_SCHEDULE_ID)
      .update((previous) => ({ ...previous, spec, action, policies }));
  }
}
