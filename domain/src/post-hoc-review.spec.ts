import type { Commitments } from './customer-view';
import type { OrderStatusView } from './order-status-view';
import { postHocReviewOf } from './post-hoc-review';

const at = '2026-11-29T10:00:00.000Z';
const viewWith = (fraud: Commitments['fraud']): OrderStatusView =>
  ({ orderId: 'o-1', customerId: 'c-1', commitments: { fraud } }) as OrderStatusView;

describe('post-hoc review of approvals made without a screening', () => {
  it('opens one for an approval by policy, with the reason it was given', () => {
    expect(
      postHocReviewOf(
        viewWith({ decision: 'approved', decidedBy: 'policy', flag: 'FraudSlaExpired', at }),
      ),
    ).toEqual({ orderId: 'o-1', customerId: 'c-1', flag: 'FraudSlaExpired', approvedAt: at });
  });

  it('opens none for a screened or a person-made decision, or before any decision', () => {
    expect(postHocReviewOf(viewWith({ decision: 'approved', decidedBy: 'provider', at }))).toBe(
      undefined,
    );
    expect(
      postHocReviewOf(viewWith({ decision: 'approved', decidedBy: 'manual-review', at })),
    ).toBe(undefined);
    expect(postHocReviewOf(viewWith(undefined))).toBe(undefined);
  });
});
