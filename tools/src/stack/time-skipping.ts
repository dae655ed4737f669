/**
 * Temporal's time-skipping test server for the suites that run workflows on it, started from the
 * cached launcher (tools/toolchain/temporal-test-server.sh, TEMPORAL_TEST_SERVER in the suites'
 * environment); nothing is downloaded.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';

/**
 * The SDK gives the test server 5 s to answer; on a busy 2-core machine it can take longer, and
 * one slow start would fail every test of a suite. A server that did not start is tried again.
 */
export async function startTimeSkippingServer(attempts = 4): Promise<TestWorkflowEnvironment> {
  const path = process.env.TEMPORAL_TEST_SERVER;
  if (!path) throw new Error('TEMPORAL_TEST_SERVER is not set: run through the integration suite');
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path } },
      });
    } catch (error) {
      if (attempt >= attempts || !/did not start within/.test(String(error))) throw error;
    }
  }
}
