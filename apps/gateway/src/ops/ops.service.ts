/**
 * What operators do with orders: find the stuck ones and the open returns (from the read model,
 * linked into the Temporal Web UI where the same search attributes find them), and decide manual reviews (an
 * update the workflow refuses unless it waits for that decision), each accepted decision
 * audited with the operator's id in the same transaction that lets it through.
 */
import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { customerViewOf, manualReviewRefusal, workflowIdForOrder } from '@order-platform/domain';
import { manualReviewDecisionUpdate } from '@order-platform/workflows';
import {
  ComparisonReportStore,
  CustomerNotificationStore,
  type OpenOrderCursor,
  OperatorTaskStore,
  OrderStatusStore,
  ReconciliationFindingStore,
  recentOperatorActions,
  recordOperatorAction,
  type ReturnCursor,
} from '@order-platform/stores';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { asDetail, problems } from '../http/problem';
import { callTemporal } from '../infrastructure/temporal-calls';
import { OrdersService } from '../orders/orders.service';
import type {
  CancelForCustomerRequest,
  OpenReturnsQuery,
  ReviewRequest,
  StuckOrdersQuery,
} from './ops-api.schemas';

const encodeReturnCursor = (cursor: ReturnCursor): string =>
  Buffer.from(JSON.stringify([cursor.parcelDueBy, cursor.returnId])).toString('base64url');

const encodeCursor = (cursor: OpenOrderCursor): string =>
  Buffer.from(JSON.stringify([cursor.stageEnteredAt, cursor.orderId])).toString('base64url');

function decodeOpenOrderCursor(raw: string): OpenOrderCursor {
  try {
    const [stageEnteredAt, orderId] = JSON.parse(
      Buffer.from(raw, 'base64url').toString(),
    ) as unknown[];
    if (
      typeof stageEnteredAt === 'string' &&
      !Number.isNaN(Date.parse(stageEnteredAt)) &&
      typeof orderId === 'string'
    ) {
      return { stageEnteredAt, orderId };
    }
  } catch {
    // falls through to the problem below
  }
  throw problems.invalid([{ field: 'cursor', message: 'not a cursor this API returned' }]);
}

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
  private readonly comparisons = new ComparisonReportStore();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly db: DataSource,
    private readonly orders: OrderStatusStore,
    private readonly temporal: Client,
    private readonly customerOrders: OrdersService,
    private readonly findingStore: ReconciliationFindingStore,
    private readonly tasks: OperatorTaskStore,
    private readonly notificationStore: CustomerNotificationStore,
  ) {}

  /**
   * One order for the operator's order page: the read model's view (its lifecycle, holds and
   * compensations), the notifications its customer was sent, its comparisons (monolith orders),
   * what operators did to it, its tasks and findings, and its workflow in the Temporal UI. 404
   * for an order with no projection yet.
   */
  async order(orderId: string) {
    const view = await this.orders.viewOf(orderId);
    if (!view) throw problems.orderNotFound();
    const [notifications, comparisons, audit, tasks, findings] = await Promise.all([
      this.notificationStore.forOrder(orderId),
      this.comparisons.forOrder(this.db, orderId),
      recentOperatorActions(this.db, { actionPrefix: '', subjects: [orderId], limit: 100 }),
      this.tasks.forOrder(orderId),
      this.findingStore.forOrder(orderId, 100),
    ]);
    const customer = customerViewOf({
      stage: view.stage,
      stageEnteredAt: view.stageEnteredAt,
      stageDeadline: view.stageDeadline,
      commitments: view.commitments,
      now: new Date().toISOString(),
    });
    return {
      order: {
        orderId: view.orderId,
        customerId: view.customerId,
        segment: view.segment,
        status: customer.status,
        stage: view.stage,
        stageEnteredAt: view.stageEnteredAt,
        stageDeadline: view.stageDeadline,
        placedAt: view.placedAt,
        totalMinor: view.totalMinor,
        currency: view.currency,
        expedited: view.expedited,
        items: view.items,
        history: view.history,
        commitments: view.commitments,
        compensations: view.compensations,
        returns: view.returns ?? [],
        needsAttention: view.needsAttention,
        migrationRoute: view.migrationRoute,
        ...(view.stageRoutes ? { stageRoutes: view.stageRoutes } : {}),
        cancellable: view.cancellable,
        asOf: view.asOf,
      },
      notifications: notifications.map((n) => ({
        kind: n.kind,
        returnId: n.returnId,
        channel: n.channel,
        sentAt: n.sentAt,
        notificationId: n.notificationId,
        idempotencyKey: n.idempotencyKey,
      })),
      comparisons: comparisons.map((c) => ({
        stage: c.stage,
        subject: c.subject,
        outcome: c.outcome,
        differences: c.differences,
        legacy: c.legacy,
        new: c.new,
        excused: c.excused,
        comparedAt: new Date(c.compared_at).toISOString(),
      })),
      audit: audit.map((entry) => ({
        id: String(entry.id),
        at: entry.at.toISOString(),
        operatorId: entry.operatorId,
        action: entry.action,
        details: entry.details,
      })),
      tasks,
      findings,
      links: { temporalUi: this.temporalUiWorkflow(view.workflowId) },
    };
  }

  /**
   * An operator cancels for the customer (who called, say): the customer's own cancel, the same
   * workflow update under the same update id (so never a second cancel), asked by the operator
   * with a reason. Audited in a transaction that commits only when the order did not refuse it;
   * a refusal is the customer's 409 with its reason.
   */
  async cancelForCustomer(operatorId: string, orderId: string, request: CancelForCustomerRequest) {
    const view = await this.orders.viewOf(orderId);
    if (!view) throw problems.orderNotFound();
    const customer = {
      subject: view.customerId,
      roles: ['customer' as const],
      segment: view.segment,
    };
    const reason = request.reason.trim();
    return this.db.transaction(async (tx) => {
      const auditId = await recordOperatorAction(tx, {
        operatorId,
        action: 'cancel-for-customer',
        subject: orderId,
        details: { reason, customerId: view.customerId },
      });
      const answer = await this.customerOrders.cancel(customer, orderId, {
        reason: `cancelled by operator ${operatorId} for the customer: ${reason}`,
        requestedBy: `operator:${operatorId}`,
      });
      if ('pending' in answer) {
        return {
          orderId,
          outcome: 'pending' as const,
          status: null,
          detail: answer.pending.detail,
          operatorId,
          auditId,
        };
      }
      return {
        orderId,
        outcome: answer.completed ? ('cancelled' as const) : ('cancelling' as const),
        status: answer.order.status,
        detail: answer.completed
          ? 'The order is cancelled: what it held is released and the customer is told.'
          : 'Cancellation accepted; the order is still releasing what it held.',
        operatorId,
        auditId,
      };
    });
  }

  async stuckOrders(query: StuckOrdersQuery) {
    const rows = await this.orders.openOrders({
      stage: query.stage,
      overdue: query.overdue,
      minAgeSeconds: query.minAgeSeconds,
      attentionPrefix: query.attention,
      limit: query.limit + 1,
      after: query.cursor === undefined ? undefined : decodeOpenOrderCursor(query.cursor),
    });
    const open = rows.slice(0, query.limit);
    const last = open[open.length - 1];
    return {
      temporalUi: this.temporalUiSearch(query),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.cursor) : null,
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
