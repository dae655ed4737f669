/**
 * When an operator's manual review decision is taken: only while the order waits for it, once,
 * and not while a cancel is being carried out. The workflow's update validator asks this, so an
 * operator is told at once (409) when a decision would change nothing, and nothing is audited.
 */
import type { OrderStage } from './stages';

export function manualReviewRefusal(
  stage: OrderStage,
  facts: { decided: boolean; cancelling: boolean },
): string | null {
  if (stage !== 'ManualReviewRequired') return `the order is in ${stage}, not in manual review`;
  if (facts.decided) return 'the manual review was already decided';
  if (facts.cancelling) return 'the order is being cancelled';
  return null;
}
