import { admittedOrderView, type PlacedOrder, type ReturnView } from '@order-platform/domain';
import { customerHistory, orderResponse, SteadyOrderResponses } from './order-response';

const order: PlacedOrder = {
  orderId: 'o-1',
  customerId: 'c-1',
  segment: 'standard',
  items: [{ sku: 'SKU-1', quantity: 3, unitPriceMinor: 500 }],
  currency: 'EUR',
  expedited: false,
  shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: '12345', country: 'DE' },
  placedAt: '2026-11-29T10:00:00.000Z',
};
const at = (minute: number) => `2026-11-29T10:${String(minute).padStart(2, '0')}:00.000Z`;

const delivered = {
  ...admittedOrderView(order),
  stage: 'Delivered' as const,
  history: [
    { stage: 'AwaitingFraudDecision' as const, at: at(1) },
    { stage: 'Confirmed' as const, at: at(2) },
    { stage: 'ReadyForFulfillment' as const, at: at(3) },
    { stage: 'Shipped' as const, at: at(4) },
    { stage: 'Delivered' as const, at: at(5) },
  ],
};

const aReturn = (returnId: string, change: Partial<ReturnView>): ReturnView => ({
  returnId,
  lines: [{ sku: 'SKU-1', quantity: 1, refundMinor: 500 }],
  state: 'authorized',
  requestedAt: at(10),
  parcelDueBy: at(50),
  refundedMinor: 0,
  ...change,
});

describe("the customer's history", () => {
  it('lists each change of status once, from RECEIVED', () => {
    expect(customerHistory(delivered)).toEqual([
      { status: 'RECEIVED', at: order.placedAt },
      { status: 'UNDER_REVIEW', at: at(1) },
      { status: 'CONFIRMED', at: at(2) },
      { status: 'READY_TO_SHIP', at: at(3) },
      { status: 'SHIPPED', at: at(4) },
      { status: 'DELIVERED', at: at(5) },
    ]);
  });

  it('adds every step of every return with its time and what the order read from then on', () => {
    const refunded = aReturn('r-1', {
      state: 'refunded',
      receivedAt: at(20),
      refundedAt: at(21),
      refundedMinor: 500,
    });
    const lapsed = aReturn('r-2', { requestedAt: at(12), parcelDueBy: at(30), lapsedAt: at(30) });
    const lapsedView = { ...lapsed, state: 'lapsed' as const };
    const history = customerHistory({ ...delivered, returns: [refunded, lapsedView] });
    expect(history.slice(6)).toEqual([
      { status: 'RETURN_REQUESTED', at: at(10), returnId: 'r-1', returnStep: 'requested' },
      { status: 'RETURN_REQUESTED', at: at(12), returnId: 'r-2', returnStep: 'requested' },
      // r-2 still waits for its parcel: that says more than r-1 being back.
      { status: 'RETURN_REQUESTED', at: at(20), returnId: 'r-1', returnStep: 'received' },
      { status: 'RETURN_REQUESTED', at: at(21), returnId: 'r-1', returnStep: 'refunded' },
      { status: 'REFUNDED', at: at(30), returnId: 'r-2', returnStep: 'lapsed' },
    ]);
  });

  it('reads the stage again once the only return lapsed', () => {
    const lapsed = aReturn('r-1', { state: 'lapsed', lapsedAt: at(40) });
    expect(customerHistory({ ...delivered, returns: [lapsed] }).slice(6)).toEqual([
      { status: 'RETURN_REQUESTED', at: at(10), returnId: 'r-1', returnStep: 'requested' },
      { status: 'DELIVERED', at: at(40), returnId: 'r-1', returnStep: 'lapsed' },
    ]);
  });

  it('places a return requested before the delivery between the stages it happened between', () => {
    const early = aReturn('r-1', { requestedAt: '2026-11-29T10:04:30.000Z' });
    const history = customerHistory({ ...delivered, returns: [early] });
    expect(history.slice(4)).toEqual([
      { status: 'SHIPPED', at: at(4) },
      {
        status: 'RETURN_REQUESTED',
        at: '2026-11-29T10:04:30.000Z',
        returnId: 'r-1',
        returnStep: 'requested',
      },
    ]);
    // The delivery changes nothing the customer reads while the return is open.
    expect(history).toHaveLength(6);
  });

  it('leaves out the steps of returns from runs that kept no times for them', () => {
    const old = aReturn('r-1', { state: 'refunded', refundedMinor: 500 });
    const response = orderResponse(
      { ...delivered, returns: [old] },
      { now: new Date(at(59)), stale: false },
    );
    expect(response.history.slice(6)).toEqual([
      { status: 'RETURN_REQUESTED', at: at(10), returnId: 'r-1', returnStep: 'requested' },
    ]);
    expect(response.status).toBe('REFUNDED');
    expect(response.returns![0]).not.toHaveProperty('refundedAt');
  });
});

describe('answers kept while only the clock moves', () => {
  const confirmedUntil = Date.parse(at(30));
  const confirmed = {
    ...admittedOrderView(order),
    stage: 'Confirmed' as const,
    stageEnteredAt: at(2),
    commitments: {
      fraud: { decision: 'approved' as const, decidedBy: 'provider' as const, at: at(1) },
      stock: { reservationId: 'r', state: 'reserved' as const, expiresAt: at(30) },
      payment: {
        authorizationId: 'a',
        state: 'authorized' as const,
        amountMinor: 1500,
        currency: 'EUR',
        expiresAt: at(45),
      },
    },
  };

  function counted(view: typeof confirmed) {
    const made = { count: 0 };
    return { made, view: () => ((made.count += 1), view) };
  }

  it('answers from the kept answer until a hold lapses, then says what is true then', () => {
    const answers = new SteadyOrderResponses();
    const stored = {};
    const { made, view } = counted(confirmed);
    const read = (now: number, stale = false) => answers.respond(stored, view, { now, stale });
    const first = read(Date.parse(at(10)));
    expect(first.status).toBe('CONFIRMED');
    expect(read(confirmedUntil - 1)).toBe(first);
    expect(made.count).toBe(1);
    // The stock hold lapses at its expiry: CONFIRMED is no longer true, whatever was kept.
    expect(read(confirmedUntil).status).toBe('UNDER_REVIEW');
    expect(made.count).toBe(2);
  });

  it('answers as the view made again would, at every instant of a clock that also steps back', () => {
    // Deterministic pseudo-random walk: instants around the thresholds, forward and back.
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const base = Date.parse(at(20));
    const near = (offsetMs: number) => new Date(base + offsetMs).toISOString();
    const variants = [
      confirmed,
      { ...confirmed, stage: 'ReadyForFulfillment' as const, stageDeadline: near(1_000) },
      { ...confirmed, stage: 'ManualReviewRequired' as const, stageDeadline: near(500) },
      {
        ...confirmed,
        stage: 'Shipped' as const,
        stageDeadline: near(-1),
        commitments: {
          ...confirmed.commitments,
          stock: { reservationId: 'r', state: 'allocated' as const },
          payment: { ...confirmed.commitments.payment, state: 'captured' as const },
        },
      },
      {
        ...confirmed,
        commitments: {
          ...confirmed.commitments,
          stock: { ...confirmed.commitments.stock, expiresAt: near(0) },
          payment: { ...confirmed.commitments.payment, expiresAt: near(2) },
        },
      },
    ];
    for (const view of variants) {
      const answers = new SteadyOrderResponses();
      const stored = {};
      let now = base - 2_000;
      for (let step = 0; step < 400; step += 1) {
        now += Math.round((random() - 0.45) * 800); // -360 to +440 ms: back across thresholds too
        const stale = random() < 0.05;
        expect(answers.respond(stored, () => view, { now, stale })).toEqual(
          orderResponse(view, { now: new Date(now), stale }),
        );
      }
    }
  });

  it('freezes a kept answer, so no caller can change what the next read is told', () => {
    const answer = new SteadyOrderResponses().respond({}, () => confirmed, {
      now: Date.parse(at(10)),
      stale: false,
    });
    expect(() => {
      (answer as { status: string }).status = 'DELIVERED';
    }).toThrow(TypeError);
    expect(Object.isFrozen(answer.history[0])).toBe(true);
  });

  it('makes the answer again for another stale flag, a clock stepped back, or another stored order', () => {
    const answers = new SteadyOrderResponses();
    const stored = {};
    const { made, view } = counted(confirmed);
    const now = Date.parse(at(10));
    answers.respond(stored, view, { now, stale: false });
    expect(answers.respond(stored, view, { now, stale: true }).stale).toBe(true);
    answers.respond(stored, view, { now: now - 60_000, stale: true });
    expect(made.count).toBe(3);
    const lapsed = { ...confirmed, commitments: { ...confirmed.commitments, stock: undefined } };
    expect(answers.respond({}, () => lapsed, { now, stale: true }).status).toBe('UNDER_REVIEW');
  });
});
