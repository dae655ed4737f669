import { backoffDelayMs } from './retry';

describe('retry backoff', () => {
  const policy = { baseMs: 200, maxMs: 5_000 };

  it('is full jitter under an exponential ceiling that stops at the cap', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelayMs(n, policy, () => 0.999999));
    expect(ceilings).toEqual([199, 399, 799, 1599, 3199, 4999, 4999]);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
  });

  it('stays within its bounds for any random draw', () => {
    for (let n = 1; n <= 8; n++) {
      const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (n - 1));
      for (let i = 0; i < 20; i++) {
        const delay = backoffDelayMs(n, policy);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });
});
