/**
 * Transient failures retry with exponential backoff and jitter under a cap. Temporal's retry
 * policy gives backoff and a cap but no jitter, so many orders failing on the same slow
 * dependency would retry in lockstep; each transient failure therefore carries its own
 * `nextRetryDelay`, drawn from [half, all] of the capped exponential delay. How many attempts an
 * activity gets stays the workflow's call (its retry policy).
 */
import { Context, CancelledFailure } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

export const RETRY_BASE_MS = 1_000;
export const RETRY_CAP_MS = 30_000;

export function jitteredDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Rethrows a transient error as a retryable failure with a jittered delay; others unchanged. */
export function retryTransient(error: unknown): never {
  if (error instanceof ApplicationFailure || error instanceof CancelledFailure) throw error;
  throw ApplicationFailure.create({
    message: error instanceof Error ? error.message : String(error),
    type: 'TransientFailure',
    cause: error instanceof Error ? error : undefined,
    nextRetryDelay: jitteredDelayMs(Context.current().info.attempt),
  });
}
