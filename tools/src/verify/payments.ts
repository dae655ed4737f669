/**
 * Charged once: judged over the payment ledger (every authorization, void, capture, refund of
 * an order, in order). At most one authorization holds money at a time (an authorization is
 * counted until its void is on the ledger: the ledger is the money trail, and a hold nobody
 * released is not one to trust to its expiry), at most one capture, a capture only once the
 * goods left, and nothing held or taken for an order that was undone.
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
}

export function chargedOnce({ orderId, standing, ledger }: PaymentFacts): Violation[] {
  const violations: Violation[] = [];
  const held = authorizationsInLedger(ledger).filter((a) => a.state === 'authorized');
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
      reason: `money still held after the order was undone (${held.length} authorizations not voided, ${captures.length} captures)`,
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
