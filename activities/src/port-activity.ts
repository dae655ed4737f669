/**
 * How a port call becomes a Temporal activity, written once for every downstream context.
 *
 * - Failures: a business outcome (`BusinessOutcomeError`) becomes a non-retryable failure whose
 *   type is the domain's name for it, which the saga acts on; an open fraud circuit becomes a
 *   non-retryable `FraudCircuitOpen`; a request the downstream refused for good (4xx other than
 *   408, 409, 429) becomes a non-retryable `DownstreamRejected`; anything else (5xx, timeouts,
 *   network errors) is transient and retries after a jittered delay, as often as the workflow's
 *   retry policy allows.
 * - Idempotency: a workflow step names itself (`step`); with the workflow id it is the key the
 *   downstream deduplicates by, so a retry or a replay never charges, reserves or ships twice.
 * - Liveness: a long call heartbeats, and the activity's cancellation aborts it.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  BUSINESS_FAILURES,
  DOWNSTREAM_REJECTED,
  FRAUD_CIRCUIT_OPEN,
  idempotencyKey,
  isPermanentHttpStatus,
} from '@order-platform/domain';
import { BusinessOutcomeError } from './errors';
import { HttpProblemError } from './http-client';
import { CircuitOpenError } from './fraud/circuit-breaker';
import { retryTransient } from './retry';

/** What a port call may ask of the activity that runs it. */
export interface ActivityCall {
  /** The idempotency key of a step of the calling workflow. */
  keyFor(step: string): string;
  /** Aborted when the activity is cancelled. */
  readonly signal: AbortSignal;
}

export interface PortActivityOptions {
  /** Heartbeat while the call runs (for calls that may outlast the heartbeat timeout). */
  heartbeat?: boolean;
}

/** How often a long call tells Temporal it is alive (the activity's heartbeat timeout is larger). */
export const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Runs a port call inside an activity: business outcomes and refusals (4xx) become non-retryable
 * failures, anything else retries after a jittered delay.
 */
export async function asActivity<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof BusinessOutcomeError) {
      throw ApplicationFailure.nonRetryable(error.message, BUSINESS_FAILURES[error.type]);
    }
    // Retrying into an open circuit is the retry storm it is there to stop.
    if (error instanceof CircuitOpenError) {
      throw ApplicationFailure.nonRetryable(error.message, FRAUD_CIRCUIT_OPEN);
    }
    // The same request will get the same refusal: retrying it only hides the failure.
    if (error instanceof HttpProblemError && isPermanentHttpStatus(error.status)) {
      throw ApplicationFailure.create({
        message: error.message,
        type: DOWNSTREAM_REJECTED,
        nonRetryable: true,
        details: [{ status: error.status, problemType: error.type }],
      });
    }
    return retryTransient(error);
  }
}

const activityCall: ActivityCall = {
  keyFor(step) {
    const workflowId = Context.current().info.workflowExecution?.workflowId;
    if (!workflowId) throw new Error(`step ${step} runs only inside a workflow`);
    return idempotencyKey(workflowId, step);
  },
  get signal() {
    return Context.current().cancellationSignal;
  },
};

/** Turns a port call into an activity (the function a worker registers under its name). */
export function portActivity<Input extends unknown[], Result>(
  call: (activity: ActivityCall, ...input: Input) => Promise<Result>,
  options: PortActivityOptions = {},
): (...input: Input) => Promise<Result> {
  return async (...input) => {
    if (!options.heartbeat) return asActivity(() => call(activityCall, ...input));
    const context = Context.current();
    const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      return await asActivity(() => call(activityCall, ...input));
    } finally {
      clearInterval(heartbeat);
    }
  };
}

/** A workflow step's input: the port's request, with the step's name instead of the key. */
export type StepInput<Request extends { idempotencyKey: string }> = Omit<
  Request,
  'idempotencyKey'
> & { step: string };

/**
 * Turns a keyed port call into the activity of a workflow step: the step's name and the
 * workflow id make the idempotency key the port is called with.
 */
export function stepActivity<Request extends { idempotencyKey: string }, Result>(
  call: (request: Request, signal: AbortSignal) => Promise<Result>,
  options: PortActivityOptions = {},
): (input: StepInput<Request>) => Promise<Result> {
  return portActivity(({ keyFor, signal }, { step, ...request }: StepInput<Request>) => {
    // Omit<Request, 'idempotencyKey'> plus the key is Request; TypeScript cannot see it.
    const keyed = { ...request, idempotencyKey: keyFor(step) } as unknown as Request;
    return call(keyed, signal);
  }, options);
}
