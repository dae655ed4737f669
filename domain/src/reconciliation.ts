/**
 * Reconciliation, the rules: what the workflow believes about an order (its status view) against
 * what the payment ledger and the warehouse actually hold, and every difference classified.
 * Safe differences carry the repair (void an orphan authorization, release an orphan
 * reservation), done through the same idempotent activities as the workflow's compensations;
 * the rest are exceptions for an operator. Records younger than the grace window are left
 * alone: a hold the workflow has just taken may not be in its projected view yet.
 */
import { MINUTE } from './durations';
import type { OrderStatusView } from './order-status-view';
import type { StagePolicy } from './policy';
import { isTerminal } from './stages';

/**
 * How long after a hold was taken reconciliation may judge it, per kind of hold. Inside it a hold
 * the workflow has taken but not yet recorded looks like an orphan, and repairing it would void
 * an authorization (or release stock) the order still counts on.
 */
export interface ReconciliationGrace {
  authorizationMs: number;
  reservationMs: number;
}

/**
 * Never judged younger than this, whatever the step timeouts: the projection's own lag (the
 * view is written by an activity after the step, and read from another process).
 */
export const RECONCILIATION_GRACE_FLOOR_MS = MINUTE;

/** Added to the longest step that can take a hold: the projection reaching the read model. */
export const RECONCILIATION_GRACE_MARGIN_MS = MINUTE;

/**
 * The shortest grace a reconciliation may use with these step timeouts, whatever a request says.
 * A payment authorization is taken within the payment SLA (the authorization call's whole
 * budget, retries included) and a stock reservation within the reserve call's retry budget
 * (`reserveCallBudgetMs`, from the workflow's retry policy); each kind of hold is judged only
 * after its own longest step of any segment, plus a margin for the projection. Fraud screening
 * takes no hold (a reservation taken before it is recorded before it starts), so its SLA, and
 * the degraded mode's longer one, do not count.
 */
export function reconciliationMinimumGrace(
  policies: Readonly<Record<string, Pick<StagePolicy, 'paymentSlaMs'>>>,
  reserveCallBudgetMs: number,
): ReconciliationGrace {
  const longestPaymentSlaMs = Math.max(0, ...Object.values(policies).map((p) => p.paymentSlaMs));
  const safe = (stepMs: number) =>
    Math.max(RECONCILIATION_GRACE_FLOOR_MS, Math.ceil(stepMs) + RECONCILIATION_GRACE_MARGIN_MS);
  return { authorizationMs: safe(longestPaymentSlaMs), reservationMs: safe(reserveCallBudgetMs) };
}

/**
 * The grace a run uses: what was asked (one duration for both kinds; none asks for nothing
 * longer), never below the minimum for either kind nor below the floor, whatever the minimum
 * handed in says (a malformed one counts as zero).
 */
export function effectiveGrace(
  minimum: Partial<ReconciliationGrace> | undefined,
  requestedMs?: number,
): ReconciliationGrace {
  const asked = Number.isFinite(requestedMs) ? Number(requestedMs) : 0;
  const atLeast = (minimumMs: number | undefined) =>
    Math.max(
      RECONCILIATION_GRACE_FLOOR_MS,
      Number.isFinite(minimumMs) ? Number(minimumMs) : 0,
      asked,
    );
  return {
    authorizationMs: atLeast(minimum?.authorizationMs),
    reservationMs: atLeast(minimum?.reservationMs),
  };
}

export const DIFFERENCE_KINDS = [
  'orphan-authorization',
  'orphan-reservation',
  'state-drift',
  'double-charge',
] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

export interface LedgerRecord {
  kind: 'authorization' | 'void' | 'capture' | 'refund';
  amountMinor: number;
  /** The authorization id for authorizations and voids; the capture or refund id otherwise. */
  reference: string;
  createdAt: string;
}

export interface WarehouseReservation {
  reservationId: string;
  state: 'reserved' | 'allocated' | 'released' | 'expired';
  createdAt: string;
}

export type Repair =
  | { type: 'void-authorization'; authorizationId: string }
  | { type: 'release-reservation'; reservationId: string };

export interface Finding {
  orderId: string;
  kind: DifferenceKind;
  /** What it is about (an authorization, a reservation, the order): one finding per subject. */
  subject: string;
  detail: string;
  /** Present when the difference is safe to repair automatically. */
  repair?: Repair;
}

export function reconcileOrder(input: {
  view: OrderStatusView;
  ledger: readonly LedgerRecord[];
  reservations: readonly WarehouseReservation[];
  now: string;
  /** One duration for every hold (runs before the grace was per kind), or one per kind. */
  graceMs: number | ReconciliationGrace;
}): Finding[] {
  const { view, ledger, reservations } = input;
  const grace: ReconciliationGrace =
    typeof input.graceMs === 'number'
      ? { authorizationMs: input.graceMs, reservationMs: input.graceMs }
      : input.graceMs;
  const settledAfter = (graceMs: number) => (createdAt: string) =>
    Date.parse(createdAt) <= Date.parse(input.now) - graceMs;
  const authorizationSettled = settledAfter(grace.authorizationMs);
  const reservationSettled = settledAfter(grace.reservationMs);
  const findings: Finding[] = [];
  const found = (kind: DifferenceKind, subject: string, detail: string, repair?: Repair) =>
    findings.push({ orderId: view.orderId, kind, subject, detail, ...(repair ? { repair } : {}) });

  const ended = isTerminal(view.stage) && view.stage !== 'Delivered';
  const unused = ended ? `the order ended ${view.stage}` : 'the order does not use it';
  const heldAuthorization = ended ? undefined : view.commitments.payment?.authorizationId;
  const voided = new Set(ledger.filter((e) => e.kind === 'void').map((e) => e.reference));
  const captures = ledger.filter((e) => e.kind === 'capture').length;
  const refunds = ledger.filter((e) => e.kind === 'refund').length;
  const charged = captures - refunds;

  for (const authorization of ledger.filter((e) => e.kind === 'authorization')) {
    const id = authorization.reference;
    if (
      voided.has(id) ||
      id === heldAuthorization ||
      !authorizationSettled(authorization.createdAt)
    )
      continue;
    // Captured money is not an orphan hold: it is judged by the charge rules below.
    if (charged > 0 && !ended) continue;
    found('orphan-authorization', id, `authorization ${id} is held; ${unused}`, {
      type: 'void-authorization',
      authorizationId: id,
    });
  }
  if (charged > 1) {
    found(
      'double-charge',
      'order',
      `captured ${captures} times, refunded ${refunds}: the customer paid more than once`,
    );
  }
  if (ended && charged > 0) {
    found(
      'state-drift',
      'payment',
      `the order ended ${view.stage} but ${charged} capture(s) stand unrefunded`,
    );
  }
  if (view.stage === 'Delivered' && charged === 0 && ledger.length > 0) {
    found('state-drift', 'payment', 'the order was delivered but never charged');
  }
  if (
    view.commitments.payment?.state === 'authorized' &&
    heldAuthorization &&
    voided.has(heldAuthorization)
  ) {
    found(
      'state-drift',
      heldAuthorization,
      `the order counts on authorization ${heldAuthorization}, which is voided`,
    );
  }

  const heldReservation = ended ? undefined : view.commitments.stock?.reservationId;
  for (const reservation of reservations) {
    const id = reservation.reservationId;
    if (id === heldReservation || !reservationSettled(reservation.createdAt)) continue;
    if (reservation.state === 'reserved') {
      found('orphan-reservation', id, `reservation ${id} holds stock; ${unused}`, {
        type: 'release-reservation',
        reservationId: id,
      });
    } else if (reservation.state === 'allocated' && ended) {
      found(
        'state-drift',
        id,
        `stock of reservation ${id} is allocated to an order that ended ${view.stage}`,
      );
    }
  }
  const held = reservations.find((r) => r.reservationId === heldReservation);
  if (
    held &&
    view.commitments.stock?.state === 'reserved' &&
    (held.state === 'released' || held.state === 'expired')
  ) {
    found(
      'state-drift',
      held.reservationId,
      `the order counts on reservation ${held.reservationId}, which is ${held.state}`,
    );
  }
  return findings;
}
