/**
 * Replays the committed histories of representative orders (workflows/histories/) against the
 * current workflow code. A change that would make a running order take a different path fails
 * here as non-determinism: ship it behind `patched()` instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH, workflowBundlerOptions } from '../bundle';
import { HISTORIES_DIR } from '../testing/order-test-env';

describe('the order workflow replays the histories of orders already running', () => {
  const files = readdirSync(HISTORIES_DIR).filter((file) => file.endsWith('.history.pb'));

  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it('replays every one without non-determinism', async () => {
    const histories = files.map((file) => ({
      workflowId: file.replace(/\.history\.pb$/, ''),
      history: temporal.api.history.v1.History.decode(readFileSync(join(HISTORIES_DIR, file))),
    }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      {
        workflowsPath: WORKFLOWS_PATH,
        bundlerOptions: workflowBundlerOptions(),
        replayName: 'order-lifecycle',
      },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
