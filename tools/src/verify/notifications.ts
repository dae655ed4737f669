/**
 * Told once: judged over the notifications an order's customer actually received, in order.
 * The domain's own rule (`mayNotify`) replayed: nothing twice, nothing that contradicts what was
 * said before. And told what happened: a committed order's customer heard "confirmed", one that
 * went to a person for review heard "delayed".
 */
import { mayNotify, type NotificationKind } from '@order-platform/domain';
import { type Standing, type Violation } from './facts';

export function toldOnceAndConsistently(
  orderId: string,
  told: readonly NotificationKind[],
): Violation[] {
  return told.flatMap((kind, i): Violation[] => {
    const before = told.slice(0, i);
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
