/**
 * Bounded admission, the pure part: whether an order may enter given the work not yet started,
 * how long a refused client should wait (from the measured drain rate), and a per-customer
 * token bucket whose memory is bounded however many customers call.
 */

export interface AdmissionBounds {
  maxPending: number;
  /** The priority lane: expedited orders are refused only past this (higher) bound. */
  maxPendingExpedited: number;
}

export type AdmissionDecision =
  { admit: true } | { admit: false; retryAfterSeconds: number; bound: number };

export const MAX_RETRY_AFTER_SECONDS = 120;
/** Nothing measured as draining yet: a moderate wait rather than a guess of "soon". */
export const UNKNOWN_DRAIN_RETRY_AFTER_SECONDS = 30;

export function decideAdmission(input: {
  pending: number;
  expedited: boolean;
  bounds: AdmissionBounds;
  drainPerSecond: number;
}): AdmissionDecision {
  const bound = input.expedited ? input.bounds.maxPendingExpedited : input.bounds.maxPending;
  if (input.pending < bound) return { admit: true };
  return {
    admit: false,
    bound,
    retryAfterSeconds: retryAfterSeconds(input.pending - bound + 1, input.drainPerSecond),
  };
}

/** Seconds until `excess` orders have drained at the measured rate, within [1, 120]. */
export function retryAfterSeconds(excess: number, drainPerSecond: number): number {
  if (!(drainPerSecond > 0)) return UNKNOWN_DRAIN_RETRY_AFTER_SECONDS;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(excess / drainPerSecond)));
}

/**
 * The drain rate: orders that left "not yet started" per second, from successive samples of the
 * pending count and the number admitted since the previous sample (drained = admitted - growth),
 * smoothed so one noisy sample does not swing the Retry-After.
 */
export class DrainRate {
  private last?: { atMs: number; pending: number };
  private smoothed = 0;

  constructor(private readonly weight = 0.3) {}

  observe(atMs: number, pending: number, admittedSinceLast: number): void {
    if (this.last && atMs > this.last.atMs) {
      const drained = Math.max(0, admittedSinceLast - (pending - this.last.pending));
      const rate = drained / ((atMs - this.last.atMs) / 1000);
      this.smoothed =
        this.smoothed === 0 ? rate : this.weight * rate + (1 - this.weight) * this.smoothed;
    }
    this.last = { atMs, pending };
  }

  get perSecond(): number {
    return this.smoothed;
  }
}

/**
 * Token buckets per key (customer id). At most `maxKeys` buckets are kept: the least recently
 * used goes first, and a forgotten bucket is simply full again, which only errs towards letting
 * a quiet customer through.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  constructor(private readonly options: { perMinute: number; burst: number; maxKeys: number }) {}

  take(
    key: string,
    nowMs: number,
  ): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const { perMinute, burst, maxKeys } = this.options;
    const refillPerMs = perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: burst, atMs: nowMs };
    bucket.tokens = Math.min(burst, bucket.tokens + (nowMs - bucket.atMs) * refillPerMs);
    bucket.atMs = nowMs;
    // Re-inserted so Map order is least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.ceil((1 - bucket.tokens) / refillPerMs / 1000),
    };
  }

  get size(): number {
    return this.buckets.size;
  }
}
