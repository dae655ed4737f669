import { jitteredDelayMs, RETRY_CAP_MS } from './retry';

describe('retry delays for transient failures', () => {
  it('double with each attempt, never beyond the cap', () => {
    const top = () => 1;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => jitteredDelayMs(attempt, top))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('spread between half and all of the delay, so failing orders do not retry in lockstep', () => {
    expect(jitteredDelayMs(3, () => 0)).toBe(2_000);
    expect(jitteredDelayMs(3, () => 0.5)).toBe(3_000);
    expect(jitteredDelayMs(50, () => 0)).toBe(RETRY_CAP_MS / 2);
  });
});
