/**
 * What reconciliation found (`reconciliation_finding`): each difference recorded at most once
 * per order, kind and subject, so a re-run adds nothing it already knows. Repairs are recorded
 * with their audit row in one transaction; exceptions wait `open` until an operator resolves
 * them with a note, also audited.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { Finding } from '@order-platform/domain';
import { recordOperatorAction } from '../audit/operator-audit';
import { type FindingStatus, ReconciliationFindingRecord } from './reconciliation-finding.entity';

export type ResolveOutcome =
  { resolved: ReconciliationFindingRecord } | { notFound: true } | { notOpen: FindingStatus };

export class ReconciliationFindingStore {
  constructor(private readonly db: DataSource) {}

  /** Records a repair done by run `runId` and audits it; a repair already on record is left. */
  async recordRepaired(runId: string, finding: Finding): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await this.insertOnce(tx, runId, finding, 'repaired'))) return;
      await recordOperatorAction(tx, {
        operatorId: 'reconciliation',
        action: finding.repair!.type,
        subject: finding.orderId,
        details: { ...finding, runId },
      });
    });
  }

  /** Queues a difference for an operator; false when it was already queued. */
  recordException(runId: string, finding: Finding): Promise<boolean> {
    return this.insertOnce(this.db.manager, runId, finding, 'open');
  }

  /** The findings in `status`, oldest first. */
  list(status: FindingStatus, limit: number): Promise<ReconciliationFindingRecord[]> {
    return this.db.getRepository(ReconciliationFindingRecord).find({
      where: { status },
      order: { foundAt: 'ASC', id: 'ASC' },
      take: limit,
    });
  }

  /** One order's findings, whatever their status, oldest first. */
  forOrder(orderId: string, limit: number): Promise<ReconciliationFindingRecord[]> {
    return this.db.getRepository(ReconciliationFindingRecord).find({
      where: { orderId },
      order: { foundAt: 'ASC', id: 'ASC' },
      take: limit,
    });
  }

  /** Closes an open finding with the operator's note, audited in the same transaction. */
  resolve(id: string, operatorId: string, note: string): Promise<ResolveOutcome> {
    return this.db.transaction(async (tx) => {
      const findings = tx.getRepository(ReconciliationFindingRecord);
      const finding = await findings.findOne({
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!finding) return { notFound: true };
      if (finding.status !== 'open') return { notOpen: finding.status };
      await findings.update(
        { id },
        { status: 'resolved', resolvedBy: operatorId, resolvedAt: () => 'now()', note },
      );
      const resolved = await findings.findOneByOrFail({ id });
      await recordOperatorAction(tx, {
        operatorId,
        action: 'reconciliation-resolve',
        subject: id,
        details: { note, orderId: resolved.orderId, kind: resolved.kind },
      });
      return { resolved };
    });
  }

  /** @returns whether the finding was new (the unique (order, kind, subject) kept any other). */
  private async insertOnce(
    tx: EntityManager,
    runId: string,
    finding: Finding,
    status: FindingStatus,
  ): Promise<boolean> {
    const { raw } = await tx
      .createQueryBuilder()
      .insert()
      .into(ReconciliationFindingRecord)
      .values({
        orderId: finding.orderId,
        kind: finding.kind,
        subject: finding.subject,
        detail: finding.detail,
        repair: status === 'repaired' ? (finding.repair ?? null) : null,
        status,
        runId,
      })
      .orIgnore()
      .returning('id')
      .execute();
    return (raw as unknown[]).length > 0;
  }
}
