/**
 * Bounded admission, the pure part: whether an order may enter given the work not yet started,
 * how long a refused client should wait (from the measured drain rate), and the arithmetic of
 * the per-customer token bucket (kept in PostgreSQL, shared by every gateway:
 * `stores/src/admission/admission.store.ts`).
 */

export interface AdmissionBounds {
  maxPending: number;
  /** The priority lane: expedited orders are refused only past this (higher) bound. */
  maxPendingExpedited: number;
}

export const MAX_RETRY_AFTER_SECONDS = 120;
/** Nothing measured as draining yet: a moderate wait rather than a guess of "soon". */
export const UNKNOWN_DRAIN_RETRY_AFTER_SECONDS = 30;

/** The bound an order is admitted under: pending work must be below it. */
export const admissionBound = (bounds: AdmissionBounds, expedited: boolean): number =>
  expedited ? bounds.maxPendingExpedited : bounds.maxPending;

/** Seconds until `excess` orders have drained at the measured rate, within [1, 120]. */
export function retryAfterSeconds(excess: number, drainPerSecond: number): number {
  if (!(drainPerSecond > 0)) return UNKNOWN_DRAIN_RETRY_AFTER_SECONDS;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(excess / drainPerSecond)));
}

/**
 * The drain rate: orders that left "not yet started" per second between two samples of the
 * pending count, from the number admitted in between (drained = admitted - growth), smoothed
 * with the previous rate so one noisy sample does not swing the Retry-After.
 */
export function nextDrainRate(input: {
  previousRate: number;
  pendingBefore: number;
  pendingNow: number;
  admittedBetween: number;
  seconds: number;
  weight?: number;
}): number {
  if (!(input.seconds > 0)) return input.previousRate;
  const weight = input.weight ?? 0.3;
  const drained = Math.max(0, input.admittedBetween - (input.pendingNow - input.pendingBefore));
  const rate = drained / input.seconds;
  return input.previousRate === 0 ? rate : weight * rate + (1 - weight) * input.previousRate;
}

/** The per-customer token bucket's refill, per second, from its configured rate per minute. */
export const refillPerSecond = (perMinute: number): number => perMinute / 60;

/** Seconds until a bucket holding `tokens` (under 1) has a whole token again. */
export function rateLimitRetryAfterSeconds(tokens: number, perMinute: number): number {
  return Math.max(1, Math.ceil((1 - tokens) / refillPerSecond(perMinute)));
}

/** Seconds after which a bucket left alone is full again, so forgetting it changes nothing. */
export const bucketFullAfterSeconds = (burst: number, perMinute: number): number =>
  Math.ceil(burst / refillPerSecond(perMinute));
