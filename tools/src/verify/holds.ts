/**
 * A hold (a stock reservation, a payment authorization) that runs out has to have been
 * replaced or to belong to an order that ended: one that lapsed while the order still counted
 * on it means the order lost what it promised.
 */
import { type Standing, type Violation } from './facts';

export interface HoldLapse {
  id: string;
  lapsed: boolean;
}

/** `holds` in the order they were taken: a lapsed one is fine when a newer one replaced it. */
export function holdsLapsedUnused(
  orderId: string,
  what: 'reservation' | 'authorization',
  holds: readonly HoldLapse[],
  standing: Standing,
): Violation[] {
  if (standing === 'undone') return [];
  const last = holds.length - 1;
  return holds
    .filter((hold, i) => hold.lapsed && i === last)
    .map((hold) => ({
      rule: 'hold-lapsed-unused' as const,
      orderId,
      reason: `${what} ${hold.id} lapsed unused`,
    }));
}

/** How many lapsed holds were replaced or belonged to an ended order (reported, not judged). */
export const lapsedAndReplaced = (holds: readonly HoldLapse[], standing: Standing): number =>
  holds.filter((hold, i) => hold.lapsed && (i < holds.length - 1 || standing === 'undone')).length;
