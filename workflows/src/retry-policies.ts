/**
 * The retry policies of the workflows' activity calls: one per kind of call, named here once.
 * Every policy backs off from 1 s, doubling; they differ in how far apart tries may get and in
 * when to give up. Transient failures retry (the activities add jitter through
 * `nextRetryDelay`); business outcomes are non-retryable and reach the workflow as typed
 * failures whatever the policy. The Kafka consumers' retries are not Temporal's: see
 * `DEFAULT_RETRY` in runtime/src/consumer/retry.ts.
 */
import type { RetryPolicy } from '@temporalio/common';

const BACKOFF = { initialInterval: '1 second', backoffCoefficient: 2 } as const;

/** A call to a downstream service on the order's path: a few tries, then the order's failure path. */
export const DOWNSTREAM_CALL = {
  ...BACKOFF,
  maximumInterval: '30 seconds',
  maximumAttempts: 8,
} as const satisfies RetryPolicy;

/** How long one try of a downstream call on the order's path may take. */
export const DOWNSTREAM_CALL_TRY_MS = 30_000;

/**
 * The longest a downstream call on the order's path can take, every try timing out and every
 * backoff waited (about 5.5 min): a stock reservation may exist that long before the order
 * records it, so reconciliation's minimum grace for reservations starts from it.
 */
export const DOWNSTREAM_CALL_BUDGET_MS = retryBudgetMs(DOWNSTREAM_CALL, DOWNSTREAM_CALL_TRY_MS);

/** Every try of `policy` taking `tryMs`, plus the backoffs between them (attempt-limited policies). */
export function retryBudgetMs(
  policy: {
    maximumAttempts: number;
    backoffCoefficient: number;
    initialInterval: string;
    maximumInterval: string;
  },
  tryMs: number,
): number {
  const seconds = (interval: string) => Number(interval.split(' ')[0]) * 1000;
  let backoffs = 0;
  for (let retry = 0; retry < policy.maximumAttempts - 1; retry++)
    backoffs += Math.min(
      seconds(policy.maximumInterval),
      seconds(policy.initialInterval) * policy.backoffCoefficient ** retry,
    );
  return policy.maximumAttempts * tryMs + backoffs;
}

/** The platform's own bookkeeping (events, read model, policy): never lost, retried until done. */
export const MUST_HAPPEN = {
  ...BACKOFF,
  maximumInterval: '1 minute',
} as const satisfies RetryPolicy;

/**
 * One round of a compensation: a few quick tries; the saga keeps going round until it succeeds
 * (COMPENSATION_ROUNDS says how far apart), unless the failure is permanent.
 */
export const COMPENSATION = {
  ...BACKOFF,
  maximumInterval: '10 seconds',
  maximumAttempts: 3,
} as const satisfies RetryPolicy;

/**
 * A call worth waiting for: no attempt limit. Bounded, where it has to be, by the caller's
 * schedule-to-close timeout (fraud screening by the fraud SLA, authorization by the payment SLA).
 */
export const UNTIL_DONE = {
  ...BACKOFF,
  maximumInterval: '30 seconds',
} as const satisfies RetryPolicy;

/** A step of a batch run (reconciliation): ten tries, then the run fails; running it again is harmless. */
export const BATCH_STEP = {
  ...BACKOFF,
  maximumInterval: '30 seconds',
  maximumAttempts: 10,
} as const satisfies RetryPolicy;

/**
 * Between rounds of a failing compensation (runs with `compensations-fail-closed`): a minute
 * after the first failed round, doubling, never more than 30 minutes apart, for as long as the
 * failure stays transient. After `roundsPerRun` rounds in one run (or once Temporal suggests it)
 * the order continues as new with what is left to undo, so the history stays small however long
 * a downstream stays down. Older runs wait a fixed minute between rounds, in one history.
 */
export const COMPENSATION_ROUNDS = {
  initialIntervalMs: 60_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 30 * 60_000,
  roundsPerRun: 20,
} as const;

/** How long to wait after the `round`th failed round (1, 2, ...) of a compensation. */
export function compensationRoundDelayMs(round: number): number {
  const { initialIntervalMs, backoffCoefficient, maximumIntervalMs } = COMPENSATION_ROUNDS;
  return Math.min(
    maximumIntervalMs,
    initialIntervalMs * backoffCoefficient ** Math.max(0, Math.min(round - 1, 30)),
  );
}
