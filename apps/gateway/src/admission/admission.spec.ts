import { decideAdmission, DrainRate, RateLimiter, retryAfterSeconds } from './admission';

const bounds = { maxPending: 100, maxPendingExpedited: 150 };

describe('bounded admission', () => {
  it('admits below the bound and refuses at it, with a wait derived from the drain rate', () => {
    expect(decideAdmission({ pending: 99, expedited: false, bounds, drainPerSecond: 10 })).toEqual({
      admit: true,
    });
    // 100 pending, bound 100: one order over, draining at 10/s -> wait 1 s.
    expect(decideAdmission({ pending: 100, expedited: false, bounds, drainPerSecond: 10 })).toEqual(
      {
        admit: false,
        bound: 100,
        retryAfterSeconds: 1,
      },
    );
    // 50 over at 2/s -> 26 s.
    expect(retryAfterSeconds(51, 2)).toBe(26);
  });

  it('keeps a priority lane: expedited orders still enter where standard ones are refused', () => {
    expect(
      decideAdmission({ pending: 120, expedited: false, bounds, drainPerSecond: 5 }).admit,
    ).toBe(false);
    expect(
      decideAdmission({ pending: 120, expedited: true, bounds, drainPerSecond: 5 }).admit,
    ).toBe(true);
    expect(
      decideAdmission({ pending: 150, expedited: true, bounds, drainPerSecond: 5 }).admit,
    ).toBe(false);
  });

  it('never tells a client to wait zero seconds or for ever', () => {
    expect(retryAfterSeconds(1, 1000)).toBe(1);
    expect(retryAfterSeconds(100_000, 0.01)).toBe(120);
    expect(retryAfterSeconds(10, 0)).toBe(30);
  });
});

describe('the drain rate', () => {
  it('counts orders that left the queue: admitted minus growth, per second', () => {
    const rate = new DrainRate(1);
    rate.observe(0, 50, 0);
    // 20 admitted in 2 s while pending fell from 50 to 40: 30 drained -> 15/s.
    rate.observe(2000, 40, 20);
    expect(rate.perSecond).toBe(15);
    // Growing backlog with nothing leaving: 0 drained.
    rate.observe(3000, 60, 20);
    expect(rate.perSecond).toBe(0);
  });

  it('smooths samples so one burst does not swing it', () => {
    const rate = new DrainRate(0.5);
    rate.observe(0, 0, 0);
    rate.observe(1000, 0, 10);
    rate.observe(2000, 0, 30);
    expect(rate.perSecond).toBe(20);
  });
});

describe('per-customer rate limiting', () => {
  it('allows a burst, then one order per refill interval, and says when to come back', () => {
    const limiter = new RateLimiter({ perMinute: 60, burst: 3, maxKeys: 10 });
    for (let i = 0; i < 3; i++) expect(limiter.take('c-1', 0).allowed).toBe(true);
    expect(limiter.take('c-1', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('c-2', 0).allowed).toBe(true);
    expect(limiter.take('c-1', 1000).allowed).toBe(true);
  });

  it('keeps at most maxKeys buckets however many customers call', () => {
    const limiter = new RateLimiter({ perMinute: 60, burst: 1, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) limiter.take(`c-${i}`, i);
    expect(limiter.size).toBe(100);
  });
});
