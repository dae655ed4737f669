import {
  customerViewOf,
  customerViewSteadyUntil,
  holdsEverything,
  type Commitments,
  type CustomerViewInput,
} from './customer-view';
import type { OrderStage } from './stages';

const NOW = '2026-11-23T12:00:00.000Z';
const LATER = '2026-11-23T13:00:00.000Z';
const EARLIER = '2026-11-23T11:00:00.000Z';

const allHeld: Commitments = {
  fraud: { decision: 'approved', decidedBy: 'provider', at: EARLIER },
  stock: { reservationId: 'r1', state: 'reserved', expiresAt: LATER },
  payment: {
    authorizationId: 'a1',
    state: 'authorized',
    amountMinor: 100,
    currency: 'EUR',
    expiresAt: LATER,
  },
};

describe('what the customer is told', () => {
  it('is CONFIRMED only while fraud approval, stock and payment are all held', () => {
    const view = customerViewOf({
      stage: 'Confirmed',
      stageEnteredAt: EARLIER,
      commitments: allHeld,
      now: NOW,
    });
    expect(view).toMatchObject({
      status: 'CONFIRMED',
      statusLabel: 'Your order is confirmed',
      delayed: false,
    });

    for (const missing of ['fraud', 'stock', 'payment'] as const) {
      const commitments = { ...allHeld, [missing]: undefined };
      expect(
        customerViewOf({ stage: 'Confirmed', stageEnteredAt: EARLIER, commitments, now: NOW })
          .status,
      ).toBe('UNDER_REVIEW');
    }
  });

  it('does not count a hold that has lapsed', () => {
    const lapsed: Commitments = {
      ...allHeld,
      stock: { reservationId: 'r1', state: 'reserved', expiresAt: EARLIER },
    };
    expect(holdsEverything(lapsed, NOW)).toBe(false);
    expect(
      customerViewOf({
        stage: 'ReadyForFulfillment',
        stageEnteredAt: EARLIER,
        commitments: lapsed,
        now: NOW,
      }).status,
    ).toBe('UNDER_REVIEW');
    const allocated: Commitments = {
      ...allHeld,
      stock: { reservationId: 'r1', state: 'allocated' },
    };
    expect(holdsEverything(allocated, NOW)).toBe(true);
  });

  it('says a stage is late once its deadline has passed, with a reason fit for a customer', () => {
    const onTime = customerViewOf({
      stage: 'AwaitingFraudDecision',
      stageEnteredAt: EARLIER,
      stageDeadline: LATER,
      commitments: {},
      now: NOW,
    });
    expect(onTime).toMatchObject({
      status: 'UNDER_REVIEW',
      delayed: false,
      delayReason: null,
      expectedBy: LATER,
    });

    const late = customerViewOf({
      stage: 'AwaitingFraudDecision',
      stageEnteredAt: EARLIER,
      stageDeadline: EARLIER,
      commitments: {},
      now: NOW,
    });
    expect(late).toMatchObject({ status: 'UNDER_REVIEW', delayed: true, expectedBy: null });
    expect(late.delayReason).toBe('Our checks are taking longer than usual');
  });

  it('always reports manual review as a delay, with the review deadline as the expected time', () => {
    const view = customerViewOf({
      stage: 'ManualReviewRequired',
      stageEnteredAt: EARLIER,
      stageDeadline: LATER,
      commitments: {},
      now: NOW,
    });
    expect(view).toMatchObject({ status: 'UNDER_REVIEW', delayed: true, expectedBy: LATER });
  });

  it('maps every ending to the word a customer understands', () => {
    const status = (stage: 'Cancelled' | 'Rejected' | 'Failed' | 'Delivered') =>
      customerViewOf({ stage, stageEnteredAt: EARLIER, commitments: {}, now: NOW }).status;
    expect([
      status('Cancelled'),
      status('Rejected'),
      status('Failed'),
      status('Delivered'),
    ]).toEqual(['CANCELLED', 'REJECTED', 'CANCELLED', 'DELIVERED']);
  });
});

describe('how long an answer holds with only the clock moving', () => {
  const now = Date.parse(NOW);
  const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();
  // Each time input before, at and after the instant read, or absent.
  const offsets = [-1, 0, 1, 60_000, undefined];
  const stages: OrderStage[] = ['Confirmed', 'PaymentAuthorizationPending', 'Shipped'];

  function* inputs(): Generator<Omit<CustomerViewInput, 'now'>> {
    for (const stage of stages)
      for (const deadline of offsets)
        for (const stock of offsets)
          for (const payment of [...offsets, 30_000])
            yield {
              stage,
              stageEnteredAt: EARLIER,
              stageDeadline: deadline === undefined ? null : at(deadline),
              commitments: {
                fraud: allHeld.fraud,
                stock: {
                  reservationId: 'r1',
                  state: 'reserved',
                  ...(stock === undefined ? {} : { expiresAt: at(stock) }),
                },
                payment: {
                  ...allHeld.payment!,
                  ...(payment === undefined
                    ? { expiresAt: undefined }
                    : { expiresAt: at(payment) }),
                },
              },
            };
  }

  it('gives the same answer at every instant until then, and then the nearest threshold ahead', () => {
    for (const input of inputs()) {
      const until = customerViewSteadyUntil(input, now);
      const parsed = (t: string | null | undefined) => (t ? [Date.parse(t)] : []);
      // Late from the millisecond after the deadline; a hold gone at its expiry.
      const thresholds = [
        ...parsed(input.stageDeadline).map((t) => t + 1),
        ...parsed(input.commitments.stock?.expiresAt),
        ...parsed(input.commitments.payment?.expiresAt),
      ].filter((t) => t > now);
      expect(until).toBe(thresholds.length ? Math.min(...thresholds) : Infinity);
      const answer = customerViewOf({ ...input, now: NOW });
      const instants = [now, now + 1, ...thresholds.flatMap((t) => [t - 1, t, t + 1]), until - 1];
      for (const instant of instants.filter((t) => t >= now && t < until)) {
        expect(customerViewOf({ ...input, now: new Date(instant).toISOString() })).toEqual(answer);
      }
    }
  });

  it('ends where CONFIRMED would stop being true', () => {
    const input = {
      stage: 'Confirmed' as const,
      stageEnteredAt: EARLIER,
      commitments: allHeld,
    };
    const until = customerViewSteadyUntil(input, now);
    expect(until).toBe(Date.parse(LATER));
    expect(customerViewOf({ ...input, now: new Date(until).toISOString() }).status).toBe(
      'UNDER_REVIEW',
    );
  });

  it('ends where a stage turns late', () => {
    const input = { stageDeadline: NOW, commitments: {} };
    const until = customerViewSteadyUntil(input, now);
    const late = customerViewOf({
      ...input,
      stage: 'InventoryHoldPending',
      stageEnteredAt: EARLIER,
      now: new Date(until).toISOString(),
    });
    expect(late.delayed).toBe(true);
  });
});
