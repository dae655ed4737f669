/** A post-hoc review task (`post_hoc_review`, from the migration `CreatePostHocReview1795431400000`). */
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PostHocReviewOutcome, PostHocReviewStatus } from '@order-platform/domain';

@Entity({ name: 'post_hoc_review' })
export class PostHocReviewRecord {
  @PrimaryColumn({ name: 'order_id', type: 'text' })
  orderId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  /** Why fraud was approved without a screening. */
  @Column({ name: 'flag', type: 'text' })
  flag!: string;

  @Column({ name: 'approved_at', type: 'timestamptz' })
  approvedAt!: Date;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt!: Date;

  @Column({ name: 'status', type: 'text' })
  status!: PostHocReviewStatus;

  @Column({ name: 'outcome', type: 'text', nullable: true })
  outcome!: PostHocReviewOutcome | null;

  @Column({ name: 'closed_by', type: 'text', nullable: true })
  closedBy!: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'note', type: 'text', nullable: true })
  note!: string | null;
}
