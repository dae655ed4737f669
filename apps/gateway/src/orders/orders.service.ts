/**
 * The customer's orders: place (priced by the catalogue, idempotent by key, admitted through
 * backpressure; a key whose workflow was started never starts anything again), read (from the
 * read model, or the workflow itself for `consistency=strong`), list, and cancel (through the
 * workflow's update, whose validator is the one authority on whether a cancel is allowed, or,
 * for an order whose workflow never started, by marking its submission so nothing starts it).
 */
import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  Client,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import {
  admittedOrderView,
  type OrderStatusView,
  type PlacedOrder,
  unstartedOrderView,
  workflowIdForOrder,
} from '@order-platform/domain';
import { type CancelRequest, cancelOrderUpdate, orderStatusQuery } from '@order-platform/workflows';
import {
  type Cursor,
  CustomerOrderCache,
  OrderStatusStore,
  OrderSubmissionStore,
  type StoredOrder,
} from '@order-platform/stores';
import { AdmissionService } from '../admission/admission.service';
import type { Principal } from '../auth/tokens';
import { asDetail, Problem, problems } from '../http/problem';
import { callTemporal } from '../infrastructure/temporal-calls';
import type { ListOrdersQuery, PlaceOrderRequest } from './order-api.schemas';
import { OrderPricing } from './order-pricing';
import {
  orderPath,
  orderResponse,
  type OrderResponse,
  SteadyOrderResponses,
} from './order-response';
import { OrderStarter } from './order-starter';

/** How long a cancel waits for the compensations before answering 202 (under way). */
const CANCEL_COMPLETION_MS = 10_000;

/**
 * The id of a customer's cancel update, the same for every try on an order: a retry attaches to
 * the update an earlier try left with Temporal (delivered or not) and learns its outcome, and
 * never becomes a second cancel.
 */
export const CUSTOMER_CANCEL_UPDATE_ID = 'customer-cancel';

/** A cancel sent to the order that it has not taken up yet: neither done nor refused. */
export interface CancellationPending {
  orderId: string;
  cancellation: 'pending';
  detail: string;
  links: { self: string; cancel: string };
}

export type CancelAnswer =
  | { completed: true; order: OrderResponse }
  | { completed: false; order: OrderResponse }
  | { completed: false; pending: CancellationPending };

const pending = (orderId: string): CancellationPending => ({
  orderId,
  cancellation: 'pending',
  detail:
    'The cancellation was sent, but the order has not taken it up yet: it may still be cancelled, or refused. Send the same cancel again (it is the same request, never a second one) to learn the outcome, or read the order.',
  links: { self: orderPath(orderId), cancel: `${orderPath(orderId)}/cancel` },
});

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
    private readonly starter: OrderStarter,
    private readonly temporal: Client,
    private readonly submissions: OrderSubmissionStore,
    private readonly orders: OrderStatusStore,
    /** The status read's answers while nothing changed; everything else reads `orders`. */
    private readonly ordersAsLastRead: CustomerOrderCache,
    private readonly admission: AdmissionService,
    private readonly pricing: OrderPricing,
  ) {}

  /** A cached order's answer, made again only when the clock or the stale flag changes it. */
  private readonly steadyAnswers = new SteadyOrderResponses();

  async place(
    principal: Principal,
    idempotencyKey: string,
    request: PlaceOrderRequest,
  ): Promise<{ created: boolean; accepted: Accepted }> {
    const lane = request.shipping === 'expedited' ? 'expedited' : 'standard';
    return this.admission.admit(principal.subject, lane, async () => {
      const hash = requestHash(request);
      // A repeat is answered with the order it placed, at the prices it was placed at; only a
      // new key is priced, before anything is recorded, so a refused price admits nothing.
      const earlier = await this.submissions.find(principal.subject, idempotencyKey);
      const { created, submission } = earlier
        ? { created: false, submission: earlier }
        : await this.submissions.record(
            principal.subject,
            idempotencyKey,
            { requestHash: hash, placedOrder: await this.priced(principal, request) },
            // Personal data stays out of the workflow: the fulfilment activity reads it by id.
            { shippingAddress: request.shippingAddress },
          );
      if (submission.requestHash !== hash) {
        throw problems.conflict(
          'idempotency-key-reused',
          'This Idempotency-Key was already used with a different request body',
        );
      }
      if (submission.startState === 'expired' || submission.startState === 'cancelled') {
        throw problems.conflict(
          'order-not-started',
          `This order was never started (${submission.startState === 'expired' ? 'it could not be started in time' : 'it was cancelled'}) and nothing was charged; place it again with a new Idempotency-Key`,
        );
      }
      // A repeat starts only what never started (the first attempt may have stored the key and
      // failed or crashed before its start), never an order whose run Temporal has forgotten.
      if (submission.startState !== 'started') {
        await this.submissions.startOnce(submission.orderId, this.starter.start);
      }
      const accepted: Accepted = {
        orderId: submission.orderId,
        status: 'RECEIVED',
        links: { self: orderPath(submission.orderId) },
      };
      return { created, result: { created, accepted } };
    });
  }

  /**
   * A new order from the request, at the catalogue's current prices: what its workflow gets, so
   * without the shipping address (recorded apart with the submission).
   */
  private async priced(principal: Principal, request: PlaceOrderRequest): Promise<PlacedOrder> {
    const quote = await this.pricing.price(request);
    return {
      orderId: randomUUID(),
      customerId: principal.subject,
      segment: principal.segment,
      items: quote.items,
      currency: quote.currency,
      // The priority lane only for an order that pays for expedited shipping.
      expedited: quote.shipping === 'expedited',
      ...(quote.shippingMinor > 0 ? { shippingMinor: quote.shippingMinor } : {}),
      placedAt: new Date().toISOString(),
    };
  }

  async read(
    principal: Principal,
    orderId: string,
    consistency: 'eventual' | 'strong',
  ): Promise<OrderResponse> {
    const source = consistency === 'eventual' ? this.ordersAsLastRead : this.orders;
    const stored = await source.findCustomerOrder(principal.subject, orderId);
    // An order that never started has no workflow to ask: its submission is the whole truth.
    if (consistency === 'strong' && !stored?.neverStarted) {
      const view = await this.askWorkflow(principal, orderId);
      return orderResponse(view, { now: new Date(), stale: false });
    }
    if (!stored) throw problems.orderNotFound();
    // Only the cache hands back the same object while nothing changed: a database row is new.
    if (source === this.ordersAsLastRead)
      return this.steadyAnswers.respond(stored, () => storedOrderView(stored), this.clock());
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
   *
   * When the order does not take the cancel up in time (no worker, Temporal slow), Temporal may
   * still hold it and deliver it later, so "unavailable" would be a lie: the answer is 202 with
   * `cancellation: pending`. Every try uses the same update id, so trying again attaches to that
   * same cancel and answers its real outcome (200 cancelled, 409 refused, or pending still).
   */
  /**
   * `request` says who asks and why: the customer by default, or an operator on the customer's
   * behalf (OpsService.cancelForCustomer), through the same update id either way.
   */
  async cancel(
    principal: Principal,
    orderId: string,
    request?: CancelRequest,
  ): Promise<CancelAnswer> {
    try {
      return await this.cancelOrder(principal, orderId, request);
    } finally {
      // Whatever the outcome, the customer's next read asks the database, not this gateway's
      // memory of the order before the cancel.
      this.ordersAsLastRead.forget(orderId);
    }
  }

  private async cancelOrder(
    principal: Principal,
    orderId: string,
    request: CancelRequest = {
      reason: 'cancelled by the customer',
      requestedBy: principal.subject,
    },
  ): Promise<CancelAnswer> {
    // Ownership first, from the same sources as a read: a stranger learns nothing.
    const stored = await this.orders.findCustomerOrder(principal.subject, orderId);
    if (!stored) await this.askWorkflow(principal, orderId);
    if (stored && !stored.view) {
      const notStarted = await this.cancelUnstarted(principal, stored.orderId);
      if (notStarted) return notStarted;
    }
    const handle = this.temporal.workflow.getHandle(workflowIdForOrder(orderId));
    try {
      let update;
      try {
        update = await callTemporal(this.temporal, () =>
          handle.startUpdate(cancelOrderUpdate, {
            updateId: CUSTOMER_CANCEL_UPDATE_ID,
            args: [request],
            waitForStage: WorkflowUpdateStage.ACCEPTED,
          }),
        );
      } catch (error) {
        // Not taken up in time (or Temporal unreachable): it may still arrive, so not a 503.
        if (error instanceof Problem && error.status === 503)
          return { completed: false, pending: pending(orderId) };
        throw error;
      }
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
      try {
        return {
          completed: false,
          order: orderResponse(await this.askWorkflow(principal, orderId), {
            now: new Date(),
            stale: false,
          }),
        };
      } catch {
        // Accepted, but the order cannot be asked how far it got: still under way, not failed.
        return { completed: false, pending: pending(orderId) };
      }
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        throw problems.conflict(
          'cancel-refused',
          asDetail(error.cause?.message ?? 'the order can no longer be cancelled'),
        );
      }
      if (error instanceof WorkflowNotFoundError) {
        // The workflow has ended. A retry of a cancel that went through finds it cancelled.
        const ended = await this.orders.findCustomerOrder(principal.subject, orderId);
        if (ended?.view?.stage === 'Cancelled')
          return { completed: true, order: this.respond(ended) };
        throw problems.conflict(
          'cancel-refused',
          'The order is already complete and can no longer be cancelled',
        );
      }
      throw error;
    }
  }

  /**
   * A cancel of an order with no projection yet: if its workflow never started, the submission
   * is marked cancelled (the sweeper will not start it) and the answer is final; undefined when
   * the workflow did start, so the workflow decides.
   */
  private async cancelUnstarted(
    principal: Principal,
    orderId: string,
  ): Promise<CancelAnswer | undefined> {
    const state = await this.submissions.cancelUnstarted(principal.subject, orderId);
    if (state === 'expired') {
      throw problems.conflict(
        'cancel-refused',
        'The order was never started: it expired and nothing was charged',
      );
    }
    if (state !== 'cancelled') return undefined;
    const stored = await this.orders.findCustomerOrder(principal.subject, orderId);
    return { completed: true, order: this.respond(stored!) };
  }

  /** The answer made from a row just read (the list, the cancel): there is nothing to keep. */
  private respond(stored: StoredOrder): OrderResponse {
    const { now, stale } = this.clock();
    return orderResponse(storedOrderView(stored), { now: new Date(now), stale });
  }

  private clock(): { now: number; stale: boolean } {
    return { now: Date.now(), stale: !this.admission.temporalAnswering };
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
}

/** What a stored order tells: its projection, or what its submission says before there is one. */
function storedOrderView(stored: StoredOrder): OrderStatusView {
  return (
    stored.view ??
    (stored.neverStarted
      ? unstartedOrderView(stored.placedOrder!, stored.neverStarted)
      : admittedOrderView(stored.placedOrder!))
  );
}
