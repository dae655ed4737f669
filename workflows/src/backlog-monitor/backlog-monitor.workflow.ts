/**
 * The backlog monitor: one per order task queue, for as long as the platform runs. It measures
 * the fraud stage and lets the degraded mode switch (an activity does both), sleeps for the
 * interval the worker's configuration gives, and continues as new now and then so its history
 * stays small. A failed measurement is retried by Temporal; the mode stays as it was meanwhile.
 */
import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { BacklogMonitorActivities } from '@order-platform/activities';
import { UNTIL_DONE } from '../retry-policies';

export const BACKLOG_MONITOR_WORKFLOW_TYPE = 'backlogMonitor';
export const backlogMonitorWorkflowId = (taskQueue: string): string =>
  `backlog-monitor:${taskQueue}`;

const { checkBacklog } = proxyActivities<BacklogMonitorActivities>({
  startToCloseTimeout: '30 seconds',
  retry: UNTIL_DONE,
});

const CHECKS_PER_RUN = 500;

export async function backlogMonitor(): Promise<void> {
  for (let check = 0; check < CHECKS_PER_RUN; check++) {
    const { nextCheckInMs } = await checkBacklog();
    await sleep(nextCheckInMs);
  }
  await continueAsNew<typeof backlogMonitor>();
}
