/**
 * The operator audit trail (`operator_audit`): who did what, to which subject, with which
 * details. Called inside the transaction of the change it records, so the change and its record
 * commit together or not at all.
 */
import type { EntityManager } from 'typeorm';

export interface OperatorAction {
  /** An operator's token subject, or the name of an automatic actor (e.g. `reconciliation`). */
  operatorId: string;
  action: string;
  subject: string;
  details: unknown;
}

/** @returns the audit record's id */
export async function recordOperatorAction(
  db: Pick<EntityManager, 'query'>,
  entry: OperatorAction,
): Promise<string> {
  const [row]: { id: string }[] = await db.query(
    `INSERT INTO operator_audit (operator_id, action, subject, details)
     VALUES ($1, $2, $3, $4::jsonb) RETURNING id::text AS id`,
    [entry.operatorId, entry.action, entry.subject, JSON.stringify(entry.details)],
  );
  return row!.id;
}
