/**
 * How the gateway benchmark adds up one side's alternating rounds: the figures must be those of
 * one run as long as the rounds together, not averages that overweight a short or idle round.
 */
import { addedUp, type LoadFigures } from './gateway';

const round = (figures: Partial<LoadFigures> & { ok: number; seconds: number }): LoadFigures => ({
  perSecond: figures.ok / figures.seconds,
  p50Ms: 1,
  p99Ms: 5,
  notOk: 0,
  errors: 0,
  ...figures,
});

describe("the gateway benchmark's rounds added up", () => {
  it('gives the rate over the rounds’ time together and CPU per request weighted by requests', () => {
    const side = addedUp([
      round({ ok: 9_000, seconds: 3, cpuMsPerRequest: { gateway: 0.1 } }),
      round({ ok: 1_000, seconds: 1, cpuMsPerRequest: { gateway: 0.3 } }),
    ]);
    expect(side.perSecond).toBe(2_500); // not the mean of 3,000 and 1,000
    expect(side.seconds).toBe(4);
    expect(side.ok).toBe(10_000);
    expect(side.cpuMsPerRequest?.gateway).toBeCloseTo(0.12); // not 0.2
  });

  it('reports the worst round’s p99 and counts every failure', () => {
    const side = addedUp([
      round({ ok: 10, seconds: 1, p99Ms: 4, notOk: 1 }),
      round({ ok: 10, seconds: 1, p99Ms: 40, errors: 2 }),
      round({ ok: 10, seconds: 1, p99Ms: 6 }),
    ]);
    expect(side.p99Ms).toBe(40);
    expect(side.notOk).toBe(1);
    expect(side.errors).toBe(2);
    expect(side.cpuMsPerRequest).toBeUndefined();
  });

  it('counts a process’s CPU over the rounds that metered it only', () => {
    const side = addedUp([
      round({ ok: 100, seconds: 1, cpuMsPerRequest: { gateway: 0.1, temporal: 2 } }),
      round({ ok: 300, seconds: 1, cpuMsPerRequest: { gateway: 0.1 } }),
    ]);
    expect(side.cpuMsPerRequest?.gateway).toBeCloseTo(0.1);
    expect(side.cpuMsPerRequest?.temporal).toBeCloseTo(2); // not diluted to 0.5
  });
});
