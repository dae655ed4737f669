import {
  bucketFullAfterSeconds,
  admissionBound,
  nextDrainRate,
  rateLimitRetryAfterSeconds,
  retryAfterSeconds,
} from './admission';

const bounds = { maxPending: 100, maxPendingExpedited: 150 };

describe('bounded admission', () => {
  it('keeps a priority lane: expedited orders are admitted under a higher bound', () => {
    expect(admissionBound(bounds, false)).toBe(100);
    expect(admissionBound(bounds, true)).toBe(150);
  });

  it('derives the wait from the drain rate, never zero seconds nor for ever', () => {
    // One order over, draining at 10/s -> 1 s; 50 over at 2/s -> 26 s.
    expect(retryAfterSeconds(1, 10)).toBe(1);
    expect(retryAfterSeconds(51, 2)).toBe(26);
    expect(retryAfterSeconds(1, 1000)).toBe(1);
    expect(retryAfterSeconds(100_000, 0.01)).toBe(120);
    expect(retryAfterSeconds(10, 0)).toBe(30);
  });
});

describe('the drain rate', () => {
  it('counts orders that left the queue: admitted minus growth, per second', () => {
    const first = { previousRate: 0, weight: 1 };
    // 20 admitted in 2 s while pending fell from 50 to 40: 30 drained -> 15/s.
    expect(
      nextDrainRate({
        ...first,
        pendingBefore: 50,
        pendingNow: 40,
        admittedBetween: 20,
        seconds: 2,
      }),
    ).toBe(15);
    // Growing backlog with nothing leaving: 0 drained.
    expect(
      nextDrainRate({
        ...first,
        pendingBefore: 40,
        pendingNow: 60,
        admittedBetween: 20,
        seconds: 1,
      }),
    ).toBe(0);
    // No time between the samples: the previous rate stands.
    expect(
      nextDrainRate({
        previousRate: 7,
        pendingBefore: 0,
        pendingNow: 0,
        admittedBetween: 9,
        seconds: 0,
      }),
    ).toBe(7);
  });

  it('smooths samples so one burst does not swing it', () => {
    const sample = { pendingBefore: 0, pendingNow: 0, seconds: 1, weight: 0.5 };
    const first = nextDrainRate({ ...sample, previousRate: 0, admittedBetween: 10 });
    expect(first).toBe(10);
    expect(nextDrainRate({ ...sample, previousRate: first, admittedBetween: 30 })).toBe(20);
  });
});

describe('the per-customer token bucket', () => {
  it('tells a refused customer when a whole token is back', () => {
    // 60 a minute: one a second; an empty bucket is full again after burst seconds.
    expect(rateLimitRetryAfterSeconds(0, 60)).toBe(1);
    expect(rateLimitRetryAfterSeconds(0.5, 1)).toBe(30);
    expect(rateLimitRetryAfterSeconds(0.999, 60)).toBe(1);
    expect(bucketFullAfterSeconds(20, 60)).toBe(20);
  });
});
