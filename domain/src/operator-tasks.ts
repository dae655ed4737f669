/**
 * Operator tasks: what the platform could not settle by itself and leaves, open, for a person to
 * look at and close (with an outcome and a note, audited). One concept with a kind:
 *
 * - `post-hoc-review`: fraud approved without a screening (domain/src/post-hoc-review.ts);
 *   subject `fraud`;
 * - `compensation-failed`: an undo the downstream refused for good (a 4xx, a business outcome),
 *   so something may still be held or shipped (workflows/src/order/saga.ts); subject: the
 *   compensation's name (`void-authorization`, ...).
 *
 * Each is opened once per order, kind and subject, by the read-model projector from the view the
 * workflow records, so a task can never be missed however often a view is projected again.
 */
import type { OrderStatusView } from './order-status-view';
import { postHocReviewOf } from './post-hoc-review';

export const OPERATOR_TASK_KINDS = ['post-hoc-review', 'compensation-failed'] as const;
export type OperatorTaskKind = (typeof OPERATOR_TASK_KINDS)[number];

export const OPERATOR_TASK_STATUSES = ['open', 'closed'] as const;
export type OperatorTaskStatus = (typeof OPERATOR_TASK_STATUSES)[number];

/** What an operator may conclude, per kind. */
export const OPERATOR_TASK_OUTCOMES = {
  'post-hoc-review': ['no-concern', 'concern-raised'],
  /** `settled-by-hand`: the operator undid it (voided, released, recalled) outside the platform. */
  'compensation-failed': ['settled-by-hand', 'nothing-to-settle'],
} as const satisfies Record<OperatorTaskKind, readonly string[]>;
export type OperatorTaskOutcome = (typeof OPERATOR_TASK_OUTCOMES)[OperatorTaskKind][number];
export const ALL_OPERATOR_TASK_OUTCOMES: readonly OperatorTaskOutcome[] = [
  ...new Set(Object.values(OPERATOR_TASK_OUTCOMES).flat()),
];

export const isOutcomeOf = (kind: OperatorTaskKind, outcome: string): boolean =>
  (OPERATOR_TASK_OUTCOMES[kind] as readonly string[]).includes(outcome);

export interface OperatorTaskOpening {
  kind: OperatorTaskKind;
  orderId: string;
  customerId: string;
  /** What it is about: `fraud`, or the compensation's name. */
  subject: string;
  /** Why (`FraudSlaExpired`, the downstream's refusal, ...). */
  reason: string;
  /** When it happened (the approval, the failure). */
  occurredAt: string;
}

/** The tasks an order's view calls for (each opened once, however often it is projected). */
export function operatorTasksOf(view: OrderStatusView): OperatorTaskOpening[] {
  const tasks: OperatorTaskOpening[] = [];
  const review = postHocReviewOf(view);
  if (review) {
    tasks.push({
      kind: 'post-hoc-review',
      orderId: review.orderId,
      customerId: review.customerId,
      subject: 'fraud',
      reason: review.flag,
      occurredAt: review.approvedAt,
    });
  }
  for (const compensation of view.compensations) {
    if (compensation.status !== 'failed') continue;
    tasks.push({
      kind: 'compensation-failed',
      orderId: view.orderId,
      customerId: view.customerId,
      subject: compensation.name,
      reason: compensation.lastError ?? 'refused',
      occurredAt: compensation.at,
    });
  }
  return tasks;
}
