/**
 * Post-hoc review tasks (`post_hoc_review`): opened once per order approved without a screening,
 * when its view is projected (the domain's `postHocReviewOf` says which), and closed by an
 * operator with an outcome and a note, audited in the same transaction.
 */
import type { DataSource } from 'typeorm';
import type {
  PostHocReviewOpening,
  PostHocReviewOutcome,
  PostHocReviewStatus,
} from '@order-platform/domain';
import { recordOperatorAction } from '../audit/operator-audit';
import { PostHocReviewRecord } from './post-hoc-review.entity';

/** Anything that runs SQL: a DataSource, or a QueryRunner inside the projector's write. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

// SQL by hand: the projector hands a QueryRunner, not an EntityManager.
const OPEN = `
  INSERT INTO post_hoc_review (order_id, customer_id, flag, approved_at)
  VALUES ($1, $2, $3, $4)
  ON CONFLICT (order_id) DO NOTHING`;

/** Opens the task unless the order has one already (projections repeat). */
export async function openPostHocReview(
  runner: SqlRunner,
  opening: PostHocReviewOpening,
): Promise<void> {
  await runner.query(OPEN, [opening.orderId, opening.customerId, opening.flag, opening.approvedAt]);
}

export type CloseOutcome =
  { closed: PostHocReviewRecord } | { notFound: true } | { notOpen: PostHocReviewStatus };

export class PostHocReviewStore {
  constructor(private readonly db: DataSource) {}

  /** The tasks in `status`, oldest opened first. */
  list(status: PostHocReviewStatus, limit: number): Promise<PostHocReviewRecord[]> {
    return this.db.getRepository(PostHocReviewRecord).find({
      where: { status },
      order: { openedAt: 'ASC', orderId: 'ASC' },
      take: limit,
    });
  }

  /** Closes an open task with the operator's outcome and note, audited in the same transaction. */
  close(
    orderId: string,
    operatorId: string,
    decision: { outcome: PostHocReviewOutcome; note: string },
  ): Promise<CloseOutcome> {
    return this.db.transaction(async (tx) => {
      const reviews = tx.getRepository(PostHocReviewRecord);
      const review = await reviews.findOne({
        where: { orderId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!review) return { notFound: true };
      if (review.status !== 'open') return { notOpen: review.status };
      await reviews.update(
        { orderId },
        {
          status: 'closed',
          outcome: decision.outcome,
          note: decision.note,
          closedBy: operatorId,
          closedAt: () => 'now()',
        },
      );
      await recordOperatorAction(tx, {
        operatorId,
        action: 'post-hoc-review-close',
        subject: orderId,
        details: { ...decision, flag: review.flag },
      });
      return { closed: await reviews.findOneByOrFail({ orderId }) };
    });
  }
}
