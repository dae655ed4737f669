/**
 * Charged once: judged over the payment ledger (every authorization, void, capture, refund of
 * an order, in order) and, where the caller can ask the gateway, each authorization's state now.
 * At most one authorization holds money at a time, at most one capture, a capture only once the
 * goods left, and nothing held or taken for an order that was undone. An authorization holds
 * money until its void is on the ledger or the gateway reports it expired: the workflow may give
 * up voiding one that already lapsed (the compensation is then reported failed, for a person),
 * and an expired one holds nothing.
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
