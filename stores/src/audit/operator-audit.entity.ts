/** One row of `operator_audit` (migration `CreateOperatorAudit1795430300000`). Append-only. */
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'operator_audit' })
export class OperatorAuditRecord {
  /** bigint: pg hands it over as a string, and so do we. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  /** An operator's token subject, or the name of an automatic actor (e.g. `reconciliation`). */
  @Column({ name: 'operator_id', type: 'text' })
  operatorId!: string;

  @Column({ name: 'action', type: 'text' })
  action!: string;

  @Column({ name: 'subject', type: 'text' })
  subject!: string;

  @Column({ name: 'details', type: 'jsonb' })
  details!: object;

  @Column({ name: 'at', type: 'timestamptz', insert: false })
  at!: Date;
}
