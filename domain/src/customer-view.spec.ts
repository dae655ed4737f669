import { customerViewOf, holdsEverything, type Commitments } from './customer-view';

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
