/** Small statistics for the benchmarks: percentiles by nearest rank, rounding for the report. */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;

/** Three significant digits: enough for a ratio table, small in the JSON. */
export const round = (value: number): number =>
  Number.isFinite(value) ? Number(value.toPrecision(3)) : value;

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function latencySummary(valuesMs: readonly number[]): LatencySummary {
  return {
    count: valuesMs.length,
    p50Ms: round(percentile(valuesMs, 50)),
    p99Ms: round(percentile(valuesMs, 99)),
    maxMs: round(Math.max(...valuesMs)),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once. */
export async function pool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/** platform ÷ baseline, left out where the baseline rounds to nothing (a 0 ms latency). */
export const ratioOf = (platform: number, baseline: number): number | undefined =>
  baseline > 0 && Number.isFinite(platform / baseline) ? round(platform / baseline) : undefined;

/** `promise`, or a clear failure after `ms`: a stuck workflow must not hang the whole run. */
export async function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
