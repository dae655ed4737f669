/**
 * Approvals made without a screening (the fraud SLA ran out, the provider was down, a degraded
 * mode approved with a flag) are not the end of the story: each opens a post-hoc review task
 * that an operator sees and closes, so no such approval is left unlooked at.
 */
import type { OrderStatusView } from './order-status-view';

export const POST_HOC_REVIEW_STATUSES = ['open', 'closed'] as const;
export type PostHocReviewStatus = (typeof POST_HOC_REVIEW_STATUSES)[number];

/** What an operator concluded when closing one. */
export const POST_HOC_REVIEW_OUTCOMES = ['no-concern', 'concern-raised'] as const;
export type PostHocReviewOutcome = (typeof POST_HOC_REVIEW_OUTCOMES)[number];

export interface PostHocReviewOpening {
  orderId: string;
  customerId: string;
  /** Why it was approved without a screening (`FraudSlaExpired`, `DegradedModeReviewLater`, ...). */
  flag: string;
  approvedAt: string;
}

/** The review task an order's view calls for: one when fraud was approved by policy alone. */
export function postHocReviewOf(view: OrderStatusView): PostHocReviewOpening | undefined {
  const fraud = view.commitments.fraud;
  if (fraud?.decision !== 'approved' || fraud.decidedBy !== 'policy') return undefined;
  return {
    orderId: view.orderId,
    customerId: view.customerId,
    flag: fraud.flag ?? 'ApprovedByPolicy',
    approvedAt: fraud.at,
  };
}
