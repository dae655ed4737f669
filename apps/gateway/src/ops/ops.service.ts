/**
 * What operators do with orders: find the stuck ones (from the read model, linked into the
 * Temporal Web UI where the same search attributes find them), and decide manual reviews, each
 * decision audited with the operator's id in the same transaction that lets it through.
 */
import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { type OrderStage, TERMINAL_STAGES, workflowIdForOrder } from '@order-platform/domain';
import { manualReviewDecisionSignal } from '@order-platform/workflows';
import { recordOperatorAction } from '@order-platform/runtime';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { problems } from '../http/problem';
import { callTemporal } from '../infrastructure/temporal-calls';
import type { ReviewRequest, StuckOrdersQuery } from './ops-api.schemas';

const TERMINAL_LIST = TERMINAL_STAGES.map((stage) => `'${stage}'`).join(', ');

@Injectable()
export class OpsService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: DataSource,
    private readonly temporal: Client,
  ) {}

  async stuckOrders(query: StuckOrdersQuery) {
    const parameters: unknown[] = [];
    let where = `stage NOT IN (${TERMINAL_LIST})`;
    if (query.stage) {
      parameters.push(query.stage);
      where += ` AND stage = $${parameters.length}`;
    }
    if (query.overdue) where += ' AND stage_deadline < now()';
    const rows: {
      order_id: string;
      customer_id: string;
      workflow_id: string;
      stage: OrderStage;
      stage_entered_at: Date;
      stage_deadline: Date | null;
      overdue_seconds: number;
      needs_attention: string | null;
      expedited: boolean;
    }[] = await this.db.query(
      `SELECT order_id, customer_id, workflow_id, stage, stage_entered_at, stage_deadline,
              greatest(0, extract(epoch FROM now() - stage_deadline))::float8 AS overdue_seconds,
              needs_attention, expedited
         FROM order_status WHERE ${where}
        ORDER BY stage_entered_at ASC, order_id
        LIMIT ${Number(query.limit)}`,
      parameters,
    );
    return {
      temporalUi: this.temporalUiSearch(query),
      orders: rows.map((row) => ({
        orderId: row.order_id,
        customerId: row.customer_id,
        stage: row.stage,
        stageEnteredAt: row.stage_entered_at.toISOString(),
        stageDeadline: row.stage_deadline?.toISOString() ?? null,
        overdueSeconds: Math.round((row.overdue_seconds ?? 0) * 10) / 10,
        needsAttention: row.needs_attention,
        expedited: row.expedited,
        links: { temporalUi: this.temporalUiWorkflow(row.workflow_id) },
      })),
    };
  }

  async review(operatorId: string, orderId: string, request: ReviewRequest) {
    const handle = this.temporal.workflow.getHandle(workflowIdForOrder(orderId));
    // The stage from the read model: no worker needs to answer a query first. The workflow takes
    // a review only while it is in manual review, so a stale row cannot make it act wrongly.
    const [row]: { stage: OrderStage }[] = await this.db.query(
      'SELECT stage FROM order_status WHERE order_id = $1',
      [orderId],
    );
    if (!row) throw problems.orderNotFound();
    const { stage } = row;
    if (stage !== 'ManualReviewRequired') {
      throw problems.conflict(
        'not-in-manual-review',
        `The order is in ${stage}, not in manual review`,
      );
    }
    // The audit row commits only if the signal was delivered, so every decision that reached
    // the workflow is on record, and nothing on record failed to reach it.
    return this.db.transaction(async (tx) => {
      const auditId = await recordOperatorAction(tx, {
        operatorId,
        action: 'manual-review',
        subject: orderId,
        details: request,
      });
      try {
        await callTemporal(this.temporal, () =>
          handle.signal(manualReviewDecisionSignal, { ...request, operatorId }),
        );
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) {
          throw problems.conflict('not-in-manual-review', 'The order has already ended');
        }
        throw error;
      }
      return { orderId, decision: request.decision, operatorId, auditId };
    });
  }

  private temporalUiWorkflow(workflowId: string): string {
    return `${this.config.temporalUiUrl}/namespaces/${encodeURIComponent(this.config.temporalNamespace)}/workflows/${encodeURIComponent(workflowId)}`;
  }

  private temporalUiSearch(query: StuckOrdersQuery): string {
    const clauses = ['ExecutionStatus = "Running"'];
    if (query.stage) clauses.push(`OrderStage = "${query.stage}"`);
    if (query.overdue) clauses.push(`StageDeadline < "${new Date().toISOString()}"`);
    return `${this.config.temporalUiUrl}/namespaces/${encodeURIComponent(this.config.temporalNamespace)}/workflows?query=${encodeURIComponent(clauses.join(' AND '))}`;
  }
}
