/** Runs activities as Temporal would, in-process, for the activities' unit specs. */
import type { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';

/** An activity of `workflowId`'s workflow; failures are expected in specs, so the log is quiet. */
export const activityOf = (workflowId = 'order-o-1', attempt = 1) =>
  new MockActivityEnvironment(
    { attempt, workflowExecution: { workflowId, runId: 'run-1' } },
    { logger: new DefaultLogger('ERROR') },
  );

/** The failure an activity ended with (the spec fails if it succeeded). */
export const failureOf = (run: Promise<unknown>): Promise<ApplicationFailure> =>
  run.then(
    () => {
      throw new Error('expected the activity to fail');
    },
    (error: unknown) => error as ApplicationFailure,
  );
