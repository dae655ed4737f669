/**
 * Starts the backlog monitor of this worker's task queue unless it already runs: one monitor
 * per queue however many workers poll it (the workflow id is the queue's).
 */
import type { Client } from '@temporalio/client';
import { backlogMonitor, backlogMonitorWorkflowId } from '@order-platform/workflows';

export async function ensureBacklogMonitor(client: Client, taskQueue: string): Promise<void> {
  await client.workflow.start(backlogMonitor, {
    workflowId: backlogMonitorWorkflowId(taskQueue),
    taskQueue,
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}
