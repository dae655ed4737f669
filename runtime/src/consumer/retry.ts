/**
 * How long the reliable consumer waits before trying a message again, and how it waits. Delays
 * are capped exponential backoff with full jitter, so consumers that failed together do not retry
 * in step. A wait heartbeats the group in slices, so a long backoff does not get the member
 * evicted, and ends early when the consumer stops.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** Handler runs in all, the first included, for an unclassified failure (outages spend none). */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 200, maxMs: 5_000 };

// Heartbeat at least this often while waiting to retry, so the group does not evict us.
const HEARTBEAT_SLICE_MS = 1_000;

/** A wait ended because the consumer is stopping: the message is left for after the restart. */
export class Stopping extends Error {}

/** Full jitter: uniform in [0, min(max, base * 2^(failures-1))), so retries do not march in step. */
export function backoffDelayMs(
  failures: number,
  { baseMs, maxMs }: Pick<RetryPolicy, 'baseMs' | 'maxMs'>,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1)));
}

/** Waits, heartbeating; ends early (throwing Stopping) when `signal` aborts. */
export async function waitHeartbeating(
  ms: number,
  heartbeat: () => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  let left = ms;
  do {
    const slice = Math.min(left, HEARTBEAT_SLICE_MS);
    await sleep(slice, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) throw new Stopping();
    await heartbeat();
    left -= slice;
  } while (left > 0);
}
