/**
 * One row of `reconciliation_finding` (migration `CreateReconciliationFinding1795430500000`):
 * a difference reconciliation found, once per order, kind and subject. The properties are in
 * the order the operator API shows them.
 */
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { DifferenceKind, Repair } from '@order-platform/domain';

export type FindingStatus = 'repaired' | 'open' | 'resolved';

@Entity({ name: 'reconciliation_finding' })
export class ReconciliationFindingRecord {
  /** bigint: pg hands it over as a string, and so do we. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'order_id', type: 'text' })
  orderId!: string;

  @Column({ name: 'kind', type: 'text' })
  kind!: DifferenceKind;

  @Column({ name: 'subject', type: 'text' })
  subject!: string;

  @Column({ name: 'detail', type: 'text' })
  detail!: string;

  @Column({ name: 'status', type: 'text' })
  status!: FindingStatus;

  @Column({ name: 'repair', type: 'jsonb', nullable: true })
  repair!: Repair | null;

  @Column({ name: 'run_id', type: 'text' })
  runId!: string;

  @Column({ name: 'found_at', type: 'timestamptz', insert: false })
  foundAt!: Date;

  @Column({ name: 'resolved_by', type: 'text', nullable: true })
  resolvedBy!: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'note', type: 'text', nullable: true })
  note!: string | null;
}
