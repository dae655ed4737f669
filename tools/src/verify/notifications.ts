/**
 * Told once: judged over the notifications an order's customer actually received, in order.
 * The domain's own rule (`mayNotify`) replayed: nothing twice, nothing that contradicts what was
 * said before (of a return: before about the order or that return). And told what happened: a committed order's customer heard "confirmed", one that
 * went to a person for review heard "delayed".
 */
import { mayNotify, type NotificationKind } from '@order-platform/domain';
import { type Standing, type Violation } from './facts';

/**
 * A notification the customer received: its kind, or its kind and the return it was about (each
 * return is told of on its own, so two returns each tell "return-authorized" once).
 */
export type Told = NotificationKind | { kind: NotificationKind; returnId?: string };

export function toldOnceAndConsistently(orderId: string, told: readonly Told[]): Violation[] {
  const sent = told.map((t) => (typeof t === 'string' ? { kind: t } : t));
  return sent.flatMap(({ kind, returnId }, i): Violation[] => {
    // Judged as it was said: against what the order itself said, and what was said of this return.
    const before = sent
      .slice(0, i)
      .filter((t) => t.returnId === undefined || t.returnId === returnId)
      .map((t) => t.kind);
    if (mayNotify(before, kind)) return [];
    return [
      {
        rule: before.includes(kind) ? 'told-twice' : 'told-contradiction',
        orderId,
        reason: `told '${kind}' after ${before.join(', ')}`,
      },
    ];
  });
}

export interface TellingFacts {
  orderId: string;
  told: readonly NotificationKind[];
  standing: Standing;
  /** The order waited for a person's review at some point. */
  wentToManualReview: boolean;
}

export function toldWhatHappened({
  orderId,
  told,
  standing,
  wentToManualReview,
}: TellingFacts): Violation[] {
  const violations: Violation[] = [];
  if ((standing === 'committed' || standing === 'goods-left') && !told.includes('confirmed')) {
    violations.push({
      rule: 'not-told-confirmed',
      orderId,
      reason: `${standing} but told ${told.join(', ') || 'nothing'}`,
    });
  }
  if (wentToManualReview && !told.includes('delayed')) {
    violations.push({
      rule: 'not-told-delayed',
      orderId,
      reason: `went to manual review and was told ${told.join(', ') || 'nothing'}`,
    });
  }
  return violations;
}
