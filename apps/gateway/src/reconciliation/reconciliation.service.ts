/**
 * Operators and reconciliation: the exception queue (read, resolve with a note, audited) and
 * scoped re-runs (by order or time window, paced), started by workflow type name.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { recordOperatorAction } from '@order-platform/runtime';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { problems } from '../http/problem';
import { callTemporal } from '../infrastructure/temporal-calls';
import type { FindingsQuery, RunRequest } from './reconciliation-api.schemas';

const FINDING_COLUMNS = `id::text AS id, order_id AS "orderId", kind, subject, detail, status, repair,
  run_id AS "runId", found_at AS "foundAt", resolved_by AS "resolvedBy", resolved_at AS "resolvedAt", note`;

const runPath = (runId: string) => `/v1/ops/reconciliation/runs/${runId}`;

@Injectable()
export class ReconciliationService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: DataSource,
    private readonly temporal: Client,
  ) {}

  async findings(query: FindingsQuery) {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT ${FINDING_COLUMNS} FROM reconciliation_finding WHERE status = $1
        ORDER BY found_at, id LIMIT ${Number(query.limit)}`,
      [query.status],
    );
    return { findings: rows };
  }

  async resolve(operatorId: string, id: string, note: string) {
    return this.db.transaction(async (tx) => {
      const [finding]: { status: string }[] = await tx.query(
        'SELECT status FROM reconciliation_finding WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (!finding) throw problems.notFound('finding');
      if (finding.status !== 'open') {
        throw problems.conflict('finding-not-open', `The finding is ${finding.status}, not open`);
      }
      // TypeORM answers an UPDATE with [rows, affected count].
      const [[resolved]]: [Record<string, unknown>[], number] = await tx.query(
        `UPDATE reconciliation_finding SET status = 'resolved', resolved_by = $2, resolved_at = now(), note = $3
          WHERE id = $1 RETURNING ${FINDING_COLUMNS}`,
        [id, operatorId, note],
      );
      await recordOperatorAction(tx, {
        operatorId,
        action: 'reconciliation-resolve',
        subject: id,
        details: { note, orderId: resolved!.orderId, kind: resolved!.kind },
      });
      return resolved;
    });
  }

  async startRun(operatorId: string, request: RunRequest) {
    const runId = `reconciliation-${randomUUID()}`;
    await callTemporal(this.temporal, () =>
      this.temporal.workflow.start('reconciliation', {
        taskQueue: this.config.taskQueue,
        workflowId: runId,
        args: [
          {
            orderId: request.orderId,
            from: request.from,
            to: request.to,
            graceMs: request.graceSeconds === undefined ? undefined : request.graceSeconds * 1000,
            ordersPerSecond: request.ordersPerSecond,
          },
        ],
        memo: { requestedBy: operatorId },
      }),
    );
    await recordOperatorAction(this.db, {
      operatorId,
      action: 'reconciliation-run',
      subject: runId,
      details: request,
    });
    return { runId, status: 'running' as const, links: { self: runPath(runId) } };
  }

  async run(runId: string) {
    const handle = this.temporal.workflow.getHandle(runId);
    try {
      const description = await callTemporal(this.temporal, () => handle.describe());
      const state = description.status.name;
      const status =
        state === 'RUNNING' ? 'running' : state === 'COMPLETED' ? 'completed' : 'failed';
      const summary =
        status === 'completed' ? await callTemporal(this.temporal, () => handle.result()) : null;
      return { runId, status, summary, links: { self: runPath(runId) } };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw problems.notFound('reconciliation run');
      throw error;
    }
  }
}
