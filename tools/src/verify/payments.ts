/**
 * Charged once: judged over the payment ledger (every authorization, void, capture, refund of
 * an order, in order) and, where the caller can ask the gateway, each authorization's state now.
 * At most one authorization holds money at a time, at most one capture, a capture only once the
 * goods left, and nothing held or taken for an order that was undone. An authorization holds
 * money until its void is on the ledger or the gateway reports it expired: the workflow may give
 * up voiding one that already lapsed (the compensation is then reported failed, for a person),
 * and an expired one holds nothing.
 * Money follows the goods: a shipped order captured its total and keeps, after refunds, the
 * price of the lines the customer kept; an undone order captured nothing, nothing shipped
 * uncaptured, and no refund gave back more than its capture took.
 */
import {
  type AuthorizationFact,
  authorizationsInLedger,
  type LedgerFact,
  type Standing,
  type Violation,
} from './facts';
import { holdsLapsedUnused } from './holds';

export interface PaymentFacts {
  orderId: string;
  standing: Standing;
  ledger: readonly LedgerFact[];
  /** Each authorization's state as the gateway reports it now; without it, the ledger's word. */
  authorizations?: readonly AuthorizationFact[];
}

export function chargedOnce({
  orderId,
  standing,
  ledger,
  authorizations,
}: PaymentFacts): Violation[] {
  const violations: Violation[] = [];
  const now = new Map((authorizations ?? []).map((a) => [a.authorizationId, a.state]));
  const held = authorizationsInLedger(ledger).filter(
    (a) => a.state === 'authorized' && now.get(a.authorizationId) !== 'expired',
  );
  const captures = ledger.filter((e) => e.kind === 'capture');
  violations.push(...moneyHeldOnce(orderId, held.length));
  if (captures.length > 1) {
    violations.push({ rule: 'charged-twice', orderId, reason: `${captures.length} captures` });
  }
  if (captures.length > 0 && standing !== 'goods-left' && standing !== 'undone') {
    violations.push({
      rule: 'charged-before-goods-left',
      orderId,
      reason: `charged while ${standing}`,
    });
  }
  if (standing === 'undone' && held.length + captures.length > 0) {
    violations.push({
      rule: 'money-held-after-undone',
      orderId,
      reason: `money still held after the order was undone (${held.length} authorizations neither voided nor expired, ${captures.length} captures)`,
    });
  }
  return violations;
}

/** At most one live payment per order, whoever keeps the books (the platform's gateway, the monolith). */
export function moneyHeldOnce(orderId: string, livePayments: number): Violation[] {
  return livePayments > 1
    ? [{ rule: 'money-held-twice', orderId, reason: `${livePayments} live authorizations` }]
    : [];
}

/** An order the platform only follows (the monolith holds its money) has no platform ledger. */
export function nothingChargedForFollowedOrder(
  orderId: string,
  ledger: readonly LedgerFact[],
): Violation[] {
  return ledger.length > 0
    ? [
        {
          rule: 'charged-for-followed-order',
          orderId,
          reason: 'the platform charged a monolith order',
        },
      ]
    : [];
}

/** Every authorization that expired was replaced by a newer one or belonged to an ended order. */
export function authorizationsLapsedUnused(
  orderId: string,
  authorizations: readonly AuthorizationFact[],
  standing: Standing,
): Violation[] {
  return holdsLapsedUnused(orderId, 'authorization', authorizationLapses(authorizations), standing);
}

export const authorizationLapses = (authorizations: readonly AuthorizationFact[]) =>
  authorizations.map((a) => ({ id: a.authorizationId, lapsed: a.state === 'expired' }));

const sumOf = (entries: readonly LedgerFact[]): number =>
  entries.reduce((sum, e) => sum + (e.amountMinor ?? 0), 0);
const movements = (ledger: readonly LedgerFact[], kind: LedgerFact['kind']) =>
  ledger.filter((e) => e.kind === kind);

/** What the customer bought and sent back, as the order (not the ledger) tells it. */
export interface OrderMoneyFacts {
  orderId: string;
  standing: Standing;
  /** The priced lines plus shipping (`orderTotalMinor`). */
  totalMinor: number;
  /** The priced lines of the returns whose parcel came back (shipping is not given back). */
  returnedMinor: number;
  ledger: readonly LedgerFact[];
}

/**
 * What the customer kept is what they paid for: a shipped order captured its total, and what
 * stays captured after the refunds is the total less the lines that came back.
 */
export function paidForWhatWasKept({
  orderId,
  standing,
  totalMinor,
  returnedMinor,
  ledger,
}: OrderMoneyFacts): Violation[] {
  if (standing !== 'goods-left') return [];
  const captured = sumOf(movements(ledger, 'capture'));
  const kept = captured - sumOf(movements(ledger, 'refund'));
  const owed = totalMinor - Math.min(returnedMinor, totalMinor);
  if (captured !== totalMinor) {
    return [
      {
        rule: 'paid-for-other-than-kept',
        orderId,
        reason: `captured ${captured} for an order of ${totalMinor}`,
      },
    ];
  }
  return kept === owed
    ? []
    : [
        {
          rule: 'paid-for-other-than-kept',
          orderId,
          reason: `${kept} kept after refunds, the lines kept cost ${owed}`,
        },
      ];
}

/** A cancelled, rejected or failed order never took money, not even to give it back later. */
export function neverCapturedWhenUndone(
  orderId: string,
  standing: Standing,
  ledger: readonly LedgerFact[],
): Violation[] {
  const captures = movements(ledger, 'capture').length;
  return standing === 'undone' && captures > 0
    ? [
        {
          rule: 'captured-for-undone-order',
          orderId,
          reason: `${captures} captures for an order that was undone`,
        },
      ]
    : [];
}

/** A parcel leaves only with its payment taken. */
export function neverShippedWithoutCapture(
  orderId: string,
  standing: Standing,
  ledger: readonly LedgerFact[],
): Violation[] {
  return standing === 'goods-left' && movements(ledger, 'capture').length === 0
    ? [{ rule: 'shipped-without-capture', orderId, reason: 'the goods left with nothing captured' }]
    : [];
}

/**
 * Never more given back than was taken: per capture (for the refunds that name theirs) and
 * over the whole order. A refund naming a capture the ledger does not show gives back from nothing.
 */
export function refundsWithinCapture(orderId: string, ledger: readonly LedgerFact[]): Violation[] {
  const violations: Violation[] = [];
  const captures = movements(ledger, 'capture');
  const refunds = movements(ledger, 'refund');
  const capturedBy = new Map(captures.map((c) => [c.reference, c.amountMinor ?? 0]));
  const refundedBy = new Map<string, number>();
  for (const refund of refunds) {
    if (refund.captureId === undefined) continue;
    refundedBy.set(
      refund.captureId,
      (refundedBy.get(refund.captureId) ?? 0) + (refund.amountMinor ?? 0),
    );
  }
  for (const [captureId, refunded] of refundedBy) {
    const captured = capturedBy.get(captureId) ?? 0;
    if (refunded > captured) {
      violations.push({
        rule: 'refunded-above-capture',
        orderId,
        reason: `refunded ${refunded} of capture ${captureId}, which took ${captured}`,
      });
    }
  }
  const captured = sumOf(captures);
  const refunded = sumOf(refunds);
  if (refunded > captured) {
    violations.push({
      rule: 'refunded-above-capture',
      orderId,
      reason: `refunded ${refunded} in all, ${captured} captured`,
    });
  }
  return violations;
}
