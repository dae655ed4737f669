/**
 * The plain facts the invariant rules judge, as the outside world reports them (the payment
 * ledger, the warehouse's reservations, the notifications sent, what a customer read, the
 * lifecycle events), and the violations they return. Each caller turns its own world (the
 * in-memory fakes of the workflow tests, the simulators of the real stack) into these facts, so
 * one set of rules judges them all.
 */
import { type CustomerStatus, type OrderStage } from '@order-platform/domain';

/** One broken promise: which rule, for which order, and what was seen. */
export interface Violation {
  rule: RuleName;
  orderId: string;
  reason: string;
}

export type RuleName =
  | 'charged-twice'
  | 'money-held-twice'
  | 'charged-before-goods-left'
  | 'money-held-after-undone'
  | 'charged-for-followed-order'
  | 'paid-for-other-than-kept'
  | 'captured-for-undone-order'
  | 'shipped-without-capture'
  | 'refunded-above-capture'
  | 'stock-held-wrongly'
  | 'stock-reserved-for-followed-order'
  | 'stock-not-conserved'
  | 'hold-lapsed-unused'
  | 'told-twice'
  | 'told-contradiction'
  | 'not-told-confirmed'
  | 'not-told-delayed'
  | 'promised-without-holds'
  | 'confirmed-before-fraud-approval'
  | 'delayed-without-reason';

/** `<orderId>: <reason>`, the shape every report prints (and the fault table counts by). */
export const describeViolation = (v: Violation): string => `${v.orderId}: ${v.reason}`;

/** A row of the payment ledger: every money movement, in the order it happened. */
export interface LedgerFact {
  kind: 'authorization' | 'void' | 'capture' | 'refund';
  /** The authorization's id for `authorization` and `void`; the capture's or refund's own id otherwise. */
  reference: string;
  /** The money moved; every book keeper reports it, older facts may leave it out. */
  amountMinor?: number;
  /** For a refund: the capture it gives back from, where the book keeper says so. */
  captureId?: string;
}

/** A stock reservation as the warehouse reports it now: a lapsed `reserved` one reads `expired`. */
export interface ReservationFact {
  reservationId: string;
  state: 'reserved' | 'allocated' | 'released' | 'expired';
  lines?: { sku: string; quantity: number }[] | null;
}

/** An authorization as the payment gateway reports it now: a lapsed `authorized` one reads `expired`. */
export interface AuthorizationFact {
  authorizationId: string;
  state: 'authorized' | 'voided' | 'captured' | 'expired';
}

export const holdsStock = (r: ReservationFact): boolean =>
  r.state === 'reserved' || r.state === 'allocated';
export const holdsMoney = (a: AuthorizationFact): boolean => a.state === 'authorized';

/**
 * Where an order stands, as far as the promises care: still deciding (`in-flight`), waiting for
 * a person (`manual-review`, which releases its stock), `committed` (confirmed or ready to
 * ship: everything must be held), `goods-left` (shipped or delivered) or `undone` (cancelled,
 * rejected, failed: nothing may stay held or charged).
 */
export type Standing = 'in-flight' | 'manual-review' | 'committed' | 'goods-left' | 'undone';

const STANDING_OF_STAGE: Readonly<Record<OrderStage, Standing>> = {
  AcceptedForProcessing: 'in-flight',
  AwaitingFraudDecision: 'in-flight',
  ManualReviewRequired: 'manual-review',
  InventoryHoldPending: 'in-flight',
  PaymentAuthorizationPending: 'in-flight',
  Confirmed: 'committed',
  ReadyForFulfillment: 'committed',
  Shipped: 'goods-left',
  Delivered: 'goods-left',
  Cancelled: 'undone',
  Rejected: 'undone',
  Failed: 'undone',
};

/** The workflow's stage (as its status query or the read model says it). */
export const standingOfStage = (stage: OrderStage): Standing => STANDING_OF_STAGE[stage];

const STANDING_OF_STATUS: Readonly<Record<CustomerStatus, Standing>> = {
  RECEIVED: 'in-flight',
  // Manual review is one of the stages a customer reads as UNDER_REVIEW: from outside it is in flight.
  UNDER_REVIEW: 'in-flight',
  CONFIRMED: 'committed',
  READY_TO_SHIP: 'committed',
  SHIPPED: 'goods-left',
  DELIVERED: 'goods-left',
  CANCELLED: 'undone',
  REJECTED: 'undone',
  // A return comes after the goods left: the order itself stays where the goods took it.
  RETURN_REQUESTED: 'goods-left',
  RETURNED: 'goods-left',
  REFUNDED: 'goods-left',
};

/** What the customer reads (the gateway's order API). */
export const standingOfStatus = (status: CustomerStatus): Standing => STANDING_OF_STATUS[status];

/** The customer statuses that promise the order will be fulfilled. */
export const PROMISING_STATUSES: readonly CustomerStatus[] = ['CONFIRMED', 'READY_TO_SHIP'];

/** The authorizations a ledger shows, each `authorized` until a void for it appears. */
export function authorizationsInLedger(ledger: readonly LedgerFact[]): AuthorizationFact[] {
  const voided = new Set(ledger.filter((e) => e.kind === 'void').map((e) => e.reference));
  return ledger
    .filter((e) => e.kind === 'authorization')
    .map((e) => ({
      authorizationId: e.reference,
      state: voided.has(e.reference) ? 'voided' : 'authorized',
    }));
}
