/**
 * An operator task (`operator_task`, from the migrations `CreatePostHocReview1795431400000` and
 * `GeneraliseOperatorTask1795431500000`): one per order, kind and subject.
 */
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type {
  OperatorTaskKind,
  OperatorTaskOutcome,
  OperatorTaskStatus,
} from '@order-platform/domain';

@Entity({ name: 'operator_task' })
export class OperatorTaskRecord {
  @PrimaryColumn({ name: 'order_id', type: 'text' })
  orderId!: string;

  @PrimaryColumn({ name: 'kind', type: 'text' })
  kind!: OperatorTaskKind;

  /** What it is about: `fraud` (a post-hoc review), a compensation's name. */
  @PrimaryColumn({ name: 'subject', type: 'text' })
  subject!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  /** Why it was opened: why fraud was approved unscreened, what the downstream refused. */
  @Column({ name: 'reason', type: 'text' })
  reason!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt!: Date;

  @Column({ name: 'status', type: 'text' })
  status!: OperatorTaskStatus;

  @Column({ name: 'outcome', type: 'text', nullable: true })
  outcome!: OperatorTaskOutcome | null;

  @Column({ name: 'closed_by', type: 'text', nullable: true })
  closedBy!: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'note', type: 'text', nullable: true })
  note!: string | null;
}
