/**
 * What operators do with orders: find the stuck ones (from the read model, linked into the
 * Temporal Web UI where the same search attributes find them), and decide manual reviews, each
 * decision audited with the operator's id in the same transaction that lets it through.
 */
import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { workflowIdForOrder } from '@order-platform/domain';
import { manualReviewDecisionSignal } from '@order-platform/workflows';
import { OrderStatusStore, recordOperatorAction } from '@order-platform/stores';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { problems } from '../http/problem';
import { callTemporal } from '../infrastructure/temporal-calls';
import type { ReviewRequest, StuckOrdersQuery } from './ops-api.schemas';

@Injectable()
export class OpsService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: DataSource,
    private readonly orders: OrderStatusStore,
    private readonly temporal: Client,
  ) {}

  async stuckOrders(query: StuckOrdersQuery) {
    const open = await this.orders.openOrders(query);
    return {
      temporalUi: this.temporalUiSearch(query),
      orders: open.map((order) => ({
        orderId: order.orderId,
        customerId: order.customerId,
        stage: order.stage,
        stageEnteredAt: order.stageEnteredAt.toISOString(),
        stageDeadline: order.stageDeadline?.toISOString() ?? null,
        overdueSeconds: Math.round(order.overdueSeconds * 10) / 10,
        needsAttention: order.needsAttention,
        expedited: order.expedited,
        links: { temporalUi: this.temporalUiWorkflow(order.workflowId) },
      })),
    };
  }

  async review(operatorId: string, orderId: string, request: ReviewRequest) {
    const handle = this.temporal.workflow.getHandle(workflowIdForOrder(orderId));
    // The stage from the read model: no worker needs to answer a query first. The workflow takes
    // a review only while it is in manual review, so a stale row cannot make it act wrongly.
    const stage = await this.orders.stageOf(orderId);
    if (!stage) throw problems.orderNotFound();
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
