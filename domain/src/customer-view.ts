/**
 * What a customer is told: the one mapping from an order's stage, its age against its deadline
 * and the commitments it holds to a customer status. It never says more than the platform can
 * keep: CONFIRMED (or READY_TO_SHIP) only while fraud is approved, stock is held and payment is
 * authorized, and `delayed` as soon as a stage is past its deadline.
 */
import {
  CUSTOMER_STATUS_LABELS,
  CUSTOMER_STATUS_OF_STAGE,
  type CustomerStatus,
  type OrderStage,
} from './stages';
import { customerStatusOfReturns, type ReturnView } from './returns';

/** What the order holds right now. Times are ISO 8601. */
export interface Commitments {
  fraud?: {
    decision: 'approved';
    decidedBy: 'provider' | 'manual-review' | 'policy' | 'legacy';
    flag?: string;
    at: string;
  };
  stock?: { reservationId: string; state: 'reserved' | 'allocated'; expiresAt?: string };
  payment?: {
    authorizationId: string;
    state: 'authorized' | 'captured';
    amountMinor: number;
    currency: string;
    expiresAt?: string;
  };
  shipment?: { shipmentId: string; state: 'requested' | 'dispatched' | 'delivered' };
}

/** Customer-safe reasons: no internal names, no other party's data. */
export const DELAY_REASONS = {
  AwaitingFraudDecision: 'Our checks are taking longer than usual',
  ManualReviewRequired: 'Your order needs a manual check by our team',
  InventoryHoldPending: 'Confirming stock is taking longer than usual',
  PaymentAuthorizationPending: 'Your payment is taking longer than usual to confirm',
  ReadyForFulfillment: 'Preparing your order is taking longer than usual',
  Shipped: 'Your delivery is running late',
} as const satisfies Partial<Record<OrderStage, string>>;

export interface CustomerView {
  status: CustomerStatus;
  statusLabel: string;
  /** When the customer status last changed (ISO 8601). */
  since: string;
  delayed: boolean;
  delayReason: string | null;
  /** When the current stage should be over, if the platform knows (ISO 8601). */
  expectedBy: string | null;
}

export interface CustomerViewInput {
  stage: OrderStage;
  stageEnteredAt: string;
  stageDeadline?: string | null;
  commitments: Commitments;
  /** The order's returns, if any: an open or settled return says more than the stage. */
  returns?: readonly Pick<ReturnView, 'state'>[];
  /** Taken as an argument: the domain has no clock. */
  now: string;
}

/** Stages that are always a delay from the customer's point of view, deadline or not. */
const ALWAYS_DELAYED: readonly OrderStage[] = ['ManualReviewRequired'];

export function holdsEverything(commitments: Commitments, now: string): boolean {
  const live = (expiresAt?: string): boolean =>
    expiresAt === undefined || Date.parse(expiresAt) > Date.parse(now);
  const { fraud, stock, payment } = commitments;
  return (
    fraud?.decision === 'approved' &&
    stock !== undefined &&
    (stock.state === 'allocated' || live(stock.expiresAt)) &&
    payment !== undefined &&
    (payment.state === 'captured' || live(payment.expiresAt))
  );
}

export function customerViewOf(input: CustomerViewInput): CustomerView {
  let status =
    customerStatusOfReturns(input.returns ?? []) ?? CUSTOMER_STATUS_OF_STAGE[input.stage];
  // The invariant, enforced where the customer's words are made, not trusted to the caller.
  if (
    (status === 'CONFIRMED' || status === 'READY_TO_SHIP') &&
    !holdsEverything(input.commitments, input.now)
  ) {
    status = 'UNDER_REVIEW';
  }
  const deadline = input.stageDeadline ?? null;
  const late = deadline !== null && Date.parse(input.now) > Date.parse(deadline);
  const delayed = late || ALWAYS_DELAYED.includes(input.stage);
  const reason = delayed
    ? ((DELAY_REASONS as Partial<Record<OrderStage, string>>)[input.stage] ?? null)
    : null;
  return {
    status,
    statusLabel: CUSTOMER_STATUS_LABELS[status],
    since: input.stageEnteredAt,
    delayed: reason !== null,
    delayReason: reason,
    expectedBy: late ? null : deadline,
  };
}

/**
 * Until when (ms since the epoch, exclusive) `customerViewOf` gives the answer it gives at `now`
 * with only the clock moving: the nearest instant ahead at which a hold expires or the stage
 * turns late (Infinity when none is). The clock is the only time input, so the view at any
 * instant in [now, that) is the view at `now`; a gateway may keep its answer that long.
 */
export function customerViewSteadyUntil(
  input: Pick<CustomerViewInput, 'stageDeadline' | 'commitments'>,
  now: number,
): number {
  const parsed = (at: string | null | undefined) => (at ? Date.parse(at) : NaN);
  // A hold is gone at its expiry (`live` wants now < expiresAt); a stage is late only after its
  // deadline (now > deadline), so from the next millisecond: ISO times carry milliseconds.
  const flips = [
    parsed(input.stageDeadline) + 1,
    parsed(input.commitments.stock?.expiresAt),
    parsed(input.commitments.payment?.expiresAt),
  ];
  let until = Infinity;
  // One already passed stays passed; one that does not parse (NaN) never flips.
  for (const flip of flips) if (flip > now && flip < until) until = flip;
  return until;
}
