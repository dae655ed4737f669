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
import { isTerminal } from './stages';

/**
 * The shortest grace a reconciliation may use, whatever a request or a configuration says.
 * Inside it a hold the workflow has taken but not yet recorded looks like an orphan, and
 * repairing it would void an authorization the order still counts on. It is longer than any
 * step of the order workflow between calling a downstream and recording its answer: fraud
 * screening within the fraud SLA (15 min by default), authorization within the payment SLA
 * (10 min), any other downstream call within the `DOWNSTREAM_CALL` retry policy's 8 tries of
 * at most 30 s with backoff between them (about 5.5 min, workflows/src/retry-policies.ts);
 * plus room for the projection to reach the read model.
 */
export const RECONCILIATION_MINIMUM_GRACE_MS = 20 * MINUTE;

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
  graceMs: number;
}): Finding[] {
  const { view, ledger, reservations } = input;
  const settled = (createdAt: string) =>
    Date.parse(createdAt) <= Date.parse(input.now) - input.graceMs;
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
    if (voided.has(id) || id === heldAuthorization || !settled(authorization.createdAt)) continue;
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
    if (id === heldReservation || !settled(reservation.createdAt)) continue;
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
