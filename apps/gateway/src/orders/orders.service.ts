/**
 * The customer's orders: place (idempotent by key, admitted through backpressure), read (from
 * the read model, or the workflow itself for `consistency=strong`), list, and cancel (through
 * the workflow's update, whose validator is the one authority on whether a cancel is allowed).
 */
import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import {
  admittedOrderView,
  type OrderStatusView,
  type PlacedOrder,
  workflowIdForOrder,
} from '@order-platform/domain';
import {
  cancelOrderUpdate,
  orderLifecycle,
  orderStatusQuery,
  orderStartOptions,
} from '@order-platform/workflows';
import {
  type Cursor,
  OrderStatusStore,
  OrderSubmissionStore,
  type StoredOrder,
} from '@order-platform/stores';
import { AdmissionService } from '../admission/admission.service';
import type { Principal } from '../auth/tokens';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { asDetail, problems } from '../http/problem';
import { callTemporal } from '../infrastructure/temporal-calls';
import type { ListOrdersQuery, PlaceOrderRequest } from './order-api.schemas';
import { orderPath, orderResponse, type OrderResponse } from './order-response';

/** How long a cancel waits for the compensations before answering 202 (under way). */
const CANCEL_COMPLETION_MS = 10_000;

export interface Accepted {
  orderId: string;
  status: 'RECEIVED';
  links: { self: string };
}

/** SHA-256 over the body with keys sorted: the same JSON in another key order is the same. */
export function requestHash(body: unknown): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
          )
        : value;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

const encodeCursor = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify([cursor.placedAt, cursor.orderId])).toString('base64url');

function decodeCursor(raw: string): Cursor {
  try {
    const [placedAt, orderId] = JSON.parse(Buffer.from(raw, 'base64url').toString()) as unknown[];
    if (
      typeof placedAt === 'string' &&
      !Number.isNaN(Date.parse(placedAt)) &&
      typeof orderId === 'string'
    )
      return { placedAt, orderId };
  } catch {
    // falls through to the problem below
  }
  throw problems.invalid([{ field: 'cursor', message: 'not a cursor this API returned' }]);
}

@Injectable()
export class OrdersService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly temporal: Client,
    private readonly submissions: OrderSubmissionStore,
    private readonly orders: OrderStatusStore,
    private readonly admission: AdmissionService,
  ) {}

  async place(
    principal: Principal,
    idempotencyKey: string,
    request: PlaceOrderRequest,
  ): Promise<{ created: boolean; accepted: Accepted }> {
    const lane = request.expedited ? 'expedited' : 'standard';
    return this.admission.admit(principal.subject, lane, async () => {
      const orderId = randomUUID();
      const placedOrder: PlacedOrder = {
        orderId,
        customerId: principal.subject,
        segment: principal.segment,
        items: request.items.map((line) => ({
          sku: line.sku,
          quantity: line.quantity,
          unitPriceMinor: line.unitPrice,
        })),
        currency: request.currency,
        expedited: request.expedited ?? false,
        shippingAddress: request.shippingAddress,
        placedAt: new Date().toISOString(),
      };
      const hash = requestHash(request);
      const { created, submission } = await this.submissions.record(
        principal.subject,
        idempotencyKey,
        { orderId, requestHash: hash, placedOrder },
      );
      if (submission.requestHash !== hash) {
        throw problems.conflict(
          'idempotency-key-reused',
          'This Idempotency-Key was already used with a different request body',
        );
      }
      // Also on a repeat: the first attempt may have stored the key and crashed before starting.
      await this.start(submission.placedOrder);
      const accepted: Accepted = {
        orderId: submission.orderId,
        status: 'RECEIVED',
        links: { self: orderPath(submission.orderId) },
      };
      return { created, result: { created, accepted } };
    });
  }

  async read(
    principal: Principal,
    orderId: string,
    consistency: 'eventual' | 'strong',
  ): Promise<OrderResponse> {
    if (consistency === 'strong') {
      const view = await this.askWorkflow(principal, orderId);
      return orderResponse(view, { now: new Date(), stale: false });
    }
    const stored = await this.orders.findCustomerOrder(principal.subject, orderId);
    if (!stored) throw problems.orderNotFound();
    return this.respond(stored);
  }

  async list(
    principal: Principal,
    query: ListOrdersQuery,
  ): Promise<{ orders: OrderResponse[]; nextCursor: string | null }> {
    const rows = await this.orders.listCustomerOrders(principal.subject, {
      status: query.status,
      limit: query.limit + 1,
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      orders: page.map((row) => this.respond(row)),
      nextCursor:
        rows.length > query.limit && last
          ? encodeCursor({ placedAt: last.placedAt, orderId: last.orderId })
          : null,
    };
  }

  /**
   * Asks the workflow to cancel. Its validator refuses (409) past the point of no return, with
   * what to do instead; once accepted, the answer waits a little for the order to end, and
   * otherwise says the cancellation is under way (202). A cancel the warehouse overtook (it
   * would not recall a parcel that had left) fails the update after all: 409 too.
   */
  async cancel(
    principal: Principal,
    orderId: string,
  ): Promise<{ completed: boolean; order: OrderResponse }> {
    // Ownership first, from the same sources as a read: a stranger learns nothing.
    const stored = await this.orders.findCustomerOrder(principal.subject, orderId);
    if (!stored) await this.askWorkflow(principal, orderId);
    const handle = this.temporal.workflow.getHandle(workflowIdForOrder(orderId));
    try {
      const update = await callTemporal(this.temporal, () =>
        handle.startUpdate(cancelOrderUpdate, {
          args: [{ reason: 'cancelled by the customer', requestedBy: principal.subject }],
          waitForStage: WorkflowUpdateStage.ACCEPTED,
        }),
      );
      const finished = await Promise.race([
        update.result(),
        new Promise<undefined>((resolve) =>
          setTimeout(() => resolve(undefined), CANCEL_COMPLETION_MS).unref(),
        ),
      ]);
      if (finished) {
        return {
          completed: true,
          order: orderResponse(finished, { now: new Date(), stale: false }),
        };
      }
      return {
        completed: false,
        order: orderResponse(await this.askWorkflow(principal, orderId), {
          now: new Date(),
          stale: false,
        }),
      };
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        throw problems.conflict(
          'cancel-refused',
          asDetail(error.cause?.message ?? 'the order can no longer be cancelled'),
        );
      }
      if (error instanceof WorkflowNotFoundError) {
        // The workflow has ended: the order is already final, whatever the read model says.
        throw problems.conflict(
          'cancel-refused',
          'The order is already complete and can no longer be cancelled',
        );
      }
      throw error;
    }
  }

  private respond(stored: StoredOrder): OrderResponse {
    const view = stored.view ?? admittedOrderView(stored.placedOrder!);
    return orderResponse(view, { now: new Date(), stale: !this.admission.temporalAnswering });
  }

  /** The workflow's own answer, for `consistency=strong` and for orders the store lacks. */
  private async askWorkflow(principal: Principal, orderId: string): Promise<OrderStatusView> {
    const handle = this.temporal.workflow.getHandle(workflowIdForOrder(orderId));
    let view: OrderStatusView;
    try {
      view = await callTemporal(this.temporal, () => handle.query(orderStatusQuery));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw problems.orderNotFound();
      throw error;
    }
    if (view.customerId !== principal.subject) throw problems.orderNotFound();
    return view;
  }

  private async start(order: PlacedOrder): Promise<void> {
    try {
      await callTemporal(this.temporal, () =>
        this.temporal.workflow.start(
          orderLifecycle,
          orderStartOptions(order, this.config.taskQueue),
        ),
      );
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return;
      throw error;
    }
  }
}
