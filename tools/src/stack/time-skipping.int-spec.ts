import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { dayLongSleepWorkflow } from './smoke/smoke.workflows';
import { startTimeSkippingServer } from './time-skipping';

const DAY_MS = 24 * 60 * 60 * 1000;

describe("Temporal's Java time-skipping test server", () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await startTimeSkippingServer();
  });

  afterAll(() => env?.teardown());

  it('lets a workflow sleep a whole day without the test waiting a day', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'time-skipping-smoke',
      workflowsPath: require.resolve('./smoke/smoke.workflows'),
    });
    const startedAt = process.hrtime.bigint();
    const workflowTimeElapsed = await worker.runUntil(
      env.client.workflow.execute(dayLongSleepWorkflow, {
        taskQueue: 'time-skipping-smoke',
        workflowId: 'sleeps-a-day',
      }),
    );
    const wallMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
    expect(workflowTimeElapsed).toBeGreaterThanOrEqual(DAY_MS);
    // Proof that time was skipped, not a speed target: a real server would take 24 hours.
    expect(wallMs).toBeLessThan(60_000);
    console.log(`a simulated day passed in ${wallMs.toFixed(0)} ms of wall time`);
  });
});
