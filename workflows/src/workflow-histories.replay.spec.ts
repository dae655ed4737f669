/**
 * Replays the committed histories of representative runs (workflows/histories/) of every
 * long-running workflow type (the order, the legacy order, reconciliation) against the current
 * workflow code. A change that would make a running workflow take a different path fails here as
 * non-determinism: ship it behind `patched()` instead. New histories are recorded by the
 * time-skipping suites with RECORD_HISTORIES=1 (see `OrderTestEnv.keepHistory`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { LEGACY_ORDER_WORKFLOW_TYPE } from '@order-platform/domain';
import { WORKFLOWS_PATH, workflowBundlerOptions } from './bundle';
import { ORDER_WORKFLOW_TYPE } from './order/messages';
import { RECONCILIATION_WORKFLOW_TYPE } from './reconciliation/reconciliation.workflow';
import { HISTORIES_DIR } from './testing/order-test-env';

describe('the workflows replay the histories of runs already under way', () => {
  const files = readdirSync(HISTORIES_DIR).filter((file) => file.endsWith('.history.pb'));
  const histories = files.map((file) => ({
    workflowId: file.replace(/\.history\.pb$/, ''),
    history: temporal.api.history.v1.History.decode(readFileSync(join(HISTORIES_DIR, file))),
  }));
  const typeOf = (history: temporal.api.history.v1.IHistory) =>
    history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;

  it('has histories of every workflow type to replay', () => {
    const count = (type: string) => histories.filter(({ history }) => typeOf(history) === type);
    expect(count(ORDER_WORKFLOW_TYPE).length).toBeGreaterThanOrEqual(4);
    expect(count(LEGACY_ORDER_WORKFLOW_TYPE).length).toBeGreaterThanOrEqual(2);
    expect(count(RECONCILIATION_WORKFLOW_TYPE).length).toBeGreaterThanOrEqual(1);
  });

  it('replays every one without non-determinism', async () => {
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      {
        workflowsPath: WORKFLOWS_PATH,
        bundlerOptions: workflowBundlerOptions(),
        replayName: 'workflow-histories',
      },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    // Bundling the workflows and replaying two dozen histories took over a minute on a
    // machine shared with other test runs.
  }, 180_000);
});
