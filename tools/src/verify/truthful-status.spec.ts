import {
  confirmedAfterFraudApproval,
  delayExplained,
  promiseBacked,
  type StatusObservation,
} from './truthful-status';

const held: StatusObservation = {
  orderId: 'o-1',
  status: 'CONFIRMED',
  fraudApproved: true,
  reservations: [{ reservationId: 'res-1', state: 'allocated' }],
  authorizations: [{ authorizationId: 'auth-1', state: 'authorized' }],
};

describe('never CONFIRMED without holds', () => {
  it('passes a confirmation backed by a fraud approval, a reservation and an authorization', () => {
    expect(promiseBacked(held)).toEqual([]);
    expect(promiseBacked({ ...held, status: 'READY_TO_SHIP' })).toEqual([]);
  });

  it('passes a status that promises nothing, whatever is held', () => {
    expect(
      promiseBacked({ ...held, status: 'UNDER_REVIEW', reservations: [], authorizations: [] }),
    ).toEqual([]);
  });

  it('passes when the reader cannot see the fraud decision (the lifecycle rule judges it)', () => {
    expect(promiseBacked({ ...held, fraudApproved: undefined })).toEqual([]);
  });

  it('catches a confirmation without a live reservation', () => {
    expect(
      promiseBacked({
        ...held,
        at: 'version 4',
        reservations: [{ reservationId: 'res-1', state: 'expired' }],
      }),
    ).toEqual([
      {
        rule: 'promised-without-holds',
        orderId: 'o-1',
        reason: 'read CONFIRMED at version 4 without a stock reservation',
      },
    ]);
  });

  it('catches a confirmation whose authorization was voided, captured or expired', () => {
    for (const state of ['voided', 'captured', 'expired'] as const) {
      expect(
        promiseBacked({ ...held, authorizations: [{ authorizationId: 'auth-1', state }] }),
      ).toEqual([
        expect.objectContaining({ reason: 'read CONFIRMED without a payment authorization' }),
      ]);
    }
  });

  it('catches a confirmation without a fraud approval', () => {
    expect(promiseBacked({ ...held, status: 'READY_TO_SHIP', fraudApproved: false })).toEqual([
      expect.objectContaining({ reason: 'read READY_TO_SHIP without a fraud approval' }),
    ]);
  });
});

describe('a late order says why', () => {
  it('passes a delay with a reason, or no delay', () => {
    expect(delayExplained({ orderId: 'o-1', delayed: true, delayReason: 'fraud check' })).toEqual(
      [],
    );
    expect(delayExplained({ orderId: 'o-1', delayed: false, delayReason: null })).toEqual([]);
  });

  it('catches a delay without a reason', () => {
    expect(delayExplained({ orderId: 'o-1', delayed: true, delayReason: null })).toEqual([
      { rule: 'delayed-without-reason', orderId: 'o-1', reason: "read 'delayed' without a reason" },
    ]);
  });
});

describe('confirmed only after the fraud approval, on the lifecycle', () => {
  it('passes an approval before the confirmation, or no confirmation at all', () => {
    expect(
      confirmedAfterFraudApproval('o-1', ['OrderPlaced', 'FraudApproved', 'OrderConfirmed']),
    ).toEqual([]);
    expect(confirmedAfterFraudApproval('o-1', ['OrderPlaced', 'OrderCancelled'])).toEqual([]);
  });

  it('catches a confirmation without an approval first', () => {
    expect(
      confirmedAfterFraudApproval('o-1', ['OrderPlaced', 'OrderConfirmed', 'FraudApproved']),
    ).toEqual([
      {
        rule: 'confirmed-before-fraud-approval',
        orderId: 'o-1',
        reason:
          'confirmed without a fraud approval first (OrderPlaced → OrderConfirmed → FraudApproved)',
      },
    ]);
    expect(confirmedAfterFraudApproval('o-2', ['OrderConfirmed'])).toHaveLength(1);
  });
});
