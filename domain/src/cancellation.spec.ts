import {
  cancellationRefusal,
  mayBeCancelled,
  NO_CANCELLATION_FACTS,
  RETURN_INSTEAD,
} from './cancellation';
import { manualReviewRefusal } from './manual-review';
import { ORDER_STAGES } from './stages';

describe('the point of no return', () => {
  it('lets an order be cancelled until the parcel leaves', () => {
    for (const stage of [
      'AcceptedForProcessing',
      'AwaitingFraudDecision',
      'ManualReviewRequired',
      'InventoryHoldPending',
      'PaymentAuthorizationPending',
      'Confirmed',
      'ReadyForFulfillment',
    ] as const)
      expect(mayBeCancelled(stage, NO_CANCELLATION_FACTS)).toBe(true);
  });

  it('refuses once the warehouse reported the dispatch, before the stage moves, and says to return it', () => {
    const refusal = cancellationRefusal('ReadyForFulfillment', {
      ...NO_CANCELLATION_FACTS,
      dispatched: true,
    });
    expect(refusal).toContain(RETURN_INSTEAD);
  });

  it('refuses while the payment is being captured', () => {
    expect(
      mayBeCancelled('ReadyForFulfillment', { ...NO_CANCELLATION_FACTS, capturing: true }),
    ).toBe(false);
  });

  it('refuses a shipped order with the return hint, and an ended one plainly', () => {
    expect(cancellationRefusal('Shipped', NO_CANCELLATION_FACTS)).toBe(
      `the order is SHIPPED and can no longer be cancelled: ${RETURN_INSTEAD}`,
    );
    expect(cancellationRefusal('Delivered', NO_CANCELLATION_FACTS)).toBe(
      'the order is DELIVERED and can no longer be cancelled',
    );
  });

  it('refuses a second cancel while the first is carried out', () => {
    expect(
      cancellationRefusal('ReadyForFulfillment', { ...NO_CANCELLATION_FACTS, cancelling: true }),
    ).toBe('a cancellation is already in progress');
  });

  it('agrees with the stage rule when nothing else is known', () => {
    for (const stage of ORDER_STAGES)
      expect(mayBeCancelled(stage, NO_CANCELLATION_FACTS)).toBe(
        !['Shipped', 'Delivered', 'Cancelled', 'Rejected', 'Failed'].includes(stage),
      );
  });
});

describe('a manual review decision', () => {
  it('is taken only while the order waits for it, once, and not while it is cancelled', () => {
    const none = { decided: false, cancelling: false };
    expect(manualReviewRefusal('ManualReviewRequired', none)).toBeNull();
    expect(manualReviewRefusal('ReadyForFulfillment', none)).toBe(
      'the order is in ReadyForFulfillment, not in manual review',
    );
    expect(manualReviewRefusal('ManualReviewRequired', { ...none, decided: true })).not.toBeNull();
    expect(
      manualReviewRefusal('ManualReviewRequired', { ...none, cancelling: true }),
    ).not.toBeNull();
  });
});
