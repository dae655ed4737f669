/**
 * What operators do with orders: find the stuck ones and the open returns (from the read model,
 * linked into the Temporal Web UI where the same search attributes find them), and decide manual reviews (an
 * update the workflow refuses unless it waits for that decision), each accepted decision
 * audited with the operator's id in the same transaction that lets it through.
 */
import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { manualReviewRefusal, workflowIdForOrder } from '@order-platform/domain';
import { manualReviewDecisionUpdate } from '@order-platform/workflows';
import { OrderStatusStore, recordOperatorAction, type ReturnCursor } from '@order-platform/stores';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { asDetail, problems } from '../http/problem';
import { callTemporal } from '../infrastructure/temporal-calls';
import type { OpenReturnsQuery, ReviewRequest, StuckOrdersQuery } from './ops-api.schemas';

const encodeReturnCursor = (cursor: ReturnCursor): string =>
  Buffer.from(JSON.stringify([cursor.parcelDueBy, cursor.returnId])).toString('base64url');

function decodeReturnCursor(raw: string): ReturnCursor {
  try {
    const [parcelDueBy, returnId] = JSON.parse(
      Buffer.from(raw, 'base64url').toString(),
    ) as unknown[];
    if (
      typeof parcelDueBy === 'string' &&
      !Number.isNaN(Date.parse(parcelDueBy)) &&
      typeof returnId === 'string'
    ) {
      return { parcelDueBy, returnId };
    }
  } catch {
    // falls through to the problem below
  }
  throw problems.invalid([{ field: 'cursor', message: 'not a cursor this API returned' }]);
}

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

  async openReturns(query: OpenReturnsQuery) {
    const rows = await this.orders.openReturns({
      overdue: query.overdue,
      limit: query.limit + 1,
      after: query.cursor === undefined ? undefined : decodeReturnCursor(query.cursor),
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const clauses = ['ExecutionStatus = "Running"', 'ReturnState = "open"'];
    if (query.overdue) clauses.push(`ReturnDeadline < "${new Date().toISOString()}"`);
    return {
      temporalUi: this.temporalUiQuery(clauses),
      returns: page.map((r) => ({
        orderId: r.orderId,
        customerId: r.customerId,
        returnId: r.returnId,
        state: r.state,
        lines: r.lines.map(({ sku, quantity, refundMinor }) => ({
          sku,
          quantity,
          refund: refundMinor,
        })),
        requestedAt: r.requestedAt.toISOString(),
        parcelDueBy: r.parcelDueBy.toISOString(),
        overdue: r.overdueSeconds > 0,
        overdueSeconds: Math.round(r.overdueSeconds * 10) / 10,
        needsAttention: r.needsAttention,
        links: { temporalUi: this.temporalUiWorkflow(r.workflowId) },
      })),
      nextCursor:
        rows.length > query.limit && last
          ? encodeReturnCursor({
              parcelDueBy: last.parcelDueBy.toISOString(),
              returnId: last.returnId,
            })
          : null,
    };
  }

  async review(operatorId: string, orderId: string, request: ReviewRequest) {
    const handle = this.temporal.workflow.getHandle(workflowIdForOrder(orderId));
    // The read model answers the plain cases without asking a worker; the workflow is the one
    // authority on whether it waits for this decision: its update validator refuses (409) a
    // stale row's order that has moved on.
    const stage = await this.orders.stageOf(orderId);
    if (!stage) throw problems.orderNotFound();
    if (stage !== 'ManualReviewRequired') {
      throw problems.conflict(
        'not-in-manual-review',
        asDetail(manualReviewRefusal(stage, { decided: false, cancelling: false })!),
      );
    }
    // The audit row commits only if the update was accepted, so every decision the order took
    // is on record, and nothing on record was refused. The operator is who the token says,
    // never who the body says.
    return this.db.transaction(async (tx) => {
      const auditId = await recordOperatorAction(tx, {
        operatorId,
        action: 'manual-review',
        subject: orderId,
        details: request,
      });
      try {
        await callTemporal(this.temporal, () =>
          handle.executeUpdate(manualReviewDecisionUpdate, {
            args: [{ decision: request.decision, note: request.note, operatorId }],
          }),
        );
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) {
          throw problems.conflict(
            'not-in-manual-review',
            asDetail(error.cause?.message ?? 'the order is not in manual review'),
          );
        }
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
    return this.temporalUiQuery(clauses);
  }

  private temporalUiQuery(clauses: string[]): string {
    return `${this.config.temporalUiUrl}/namespaces/${encodeURIComponent(this.config.temporalNamespace)}/workflows?query=${encodeURIComponent(clauses.join(' AND '))}`;
  }
}
