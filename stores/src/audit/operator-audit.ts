/**
 * The operator audit trail (`operator_audit`): who did what, to which subject, with which
 * details. Recorded inside the transaction of the change it records, so the change and its
 * record commit together or not at all.
 */
import { In, Like, type EntityManager } from 'typeorm';
import { OperatorAuditRecord } from './operator-audit.entity';

export interface OperatorAction {
  /** An operator's token subject, or the name of an automatic actor (e.g. `reconciliation`). */
  operatorId: string;
  action: string;
  subject: string;
  details: object;
}

/** A transaction's EntityManager, or a DataSource when the record stands alone. */
export type AuditWriter = Pick<EntityManager, 'getRepository'>;

/** @returns the audit record's id */
export async function recordOperatorAction(
  db: AuditWriter,
  entry: OperatorAction,
): Promise<string> {
  const { identifiers } = await db.getRepository(OperatorAuditRecord).insert({
    operatorId: entry.operatorId,
    action: entry.action,
    subject: entry.subject,
    details: entry.details,
  });
  return String(identifiers[0]!.id);
}

/** The latest actions whose name starts with `actionPrefix` on any of `subjects`, newest first. */
export function recentOperatorActions(
  db: AuditWriter,
  query: { actionPrefix: string; subjects: string[]; limit: number },
): Promise<OperatorAuditRecord[]> {
  return db.getRepository(OperatorAuditRecord).find({
    where: { action: Like(`${query.actionPrefix}%`), subject: In(query.subjects) },
    order: { at: 'DESC', id: 'DESC' },
    take: query.limit,
  });
}
