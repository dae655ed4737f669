/**
 * The fulfilment service tells the platform that a parcel left the warehouse, reached the
 * customer, or came back under a return authorization: `POST /v1/webhooks/fulfillment`,
 * authenticated by its signature (no bearer token), and passed on to the order's workflow as
 * the fact's signal. The workflow keeps each fact once, so a repeated event changes nothing.
 * Answers: 200 once the workflow has the fact (or has already ended, when the fact no longer
 * matters, or already recorded that return parcel); a return parcel is delivered as an update
 * whose validator is the order's own word, so "applied" means the order took it; 401 for a bad signature or a stale
 * timestamp; 400 for a bad body; 404 for an order the platform has no workflow for, or a return
 * the order never authorized (shipments and returns are only created by an order's workflow,
 * so no retry will find them: the sender stops); 409 for a parcel that came back after its
 * return lapsed (an operator settles it), whether the read model or the order says so; 503 when Temporal is unreachable or no secret is
 * configured (the sender retries). Every refusal of a well-signed fact is logged.
 */
import { Body, Controller, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  ApplicationFailure,
  Client,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import { type OrderStatusView, workflowIdForOrder } from '@order-platform/domain';
import type { Logger } from '@order-platform/runtime';
import { OrderStatusStore } from '@order-platform/stores';
import {
  orderDeliveredSignal,
  returnParcelReceivedUpdate,
  shipmentDispatchedSignal,
} from '@order-platform/workflows';
import { Public } from '../auth/auth.guard';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { asDetail, Problem, problems } from '../http/problem';
import { bodyValidator } from '../http/validation';
import { LOGGER } from '../infrastructure/infrastructure.module';
import { callTemporal } from '../infrastructure/temporal-calls';
import { FULFILLMENT_EVENT_SCHEMA, type FulfillmentEvent } from './fulfillment-webhook.schemas';
import {
  InvalidSignature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignature,
} from './webhook-signature';

const validateEvent = bodyValidator<FulfillmentEvent>(FULFILLMENT_EVENT_SCHEMA);

export type FulfillmentEventOutcome = 'applied' | 'order-already-final' | 'already-recorded';

// Machine to machine, signed with a shared secret: not part of the published customer API.
@ApiExcludeController()
@Public()
@Controller('v1/webhooks/fulfillment')
export class FulfillmentWebhookController {
  constructor(
    private readonly temporal: Client,
    private readonly orders: OrderStatusStore,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post()
  @HttpCode(200)
  async receive(
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Headers(TIMESTAMP_HEADER) timestamp: string | undefined,
    @Headers(SIGNATURE_HEADER) signature: string | undefined,
    @Body() body: unknown,
  ): Promise<{ eventId: string; outcome: FulfillmentEventOutcome }> {
    const secret = this.config.webhooks.fulfillmentSecret;
    if (!secret) throw problems.unavailable('The fulfilment webhook is not configured', 60);
    try {
      verifySignature({ secret, timestamp, signature, rawBody: request.rawBody });
    } catch (error) {
      if (error instanceof InvalidSignature) {
        throw new Problem(401, 'invalid-signature', 'The signature is not valid', error.message);
      }
      throw error;
    }
    const event = validateEvent(body);
    try {
      return { eventId: event.eventId, outcome: await this.tellWorkflow(event) };
    } catch (error) {
      // A signed fact the platform refuses is the two systems disagreeing: someone should look.
      if (error instanceof Problem && error.status < 500) {
        this.logger.warn('fulfilment fact refused', {
          eventId: event.eventId,
          orderId: event.orderId,
          kind: event.kind,
          returnId: event.returnId,
          problem: error.slug,
          detail: error.detail,
        });
      }
      throw error;
    }
  }

  private async tellWorkflow(event: FulfillmentEvent): Promise<FulfillmentEventOutcome> {
    if (event.kind === 'return-received') {
      const known = await this.returnParcelOutcome(event);
      if (known) return known;
    }
    const handle = this.temporal.workflow.getHandle(workflowIdForOrder(event.orderId));
    try {
      await callTemporal(this.temporal, async () => {
        if (event.kind === 'dispatched') return handle.signal(shipmentDispatchedSignal, {});
        if (event.kind === 'delivered') return handle.signal(orderDeliveredSignal);
        // An update, not a signal: the order itself says whether it still takes the parcel (the
        // read model may not show yet that the return just lapsed). One id per return, so a
        // repeat is answered like the first.
        return handle.executeUpdate(returnParcelReceivedUpdate, {
          updateId: `return-parcel-${event.returnId!}`,
          args: [{ returnId: event.returnId! }],
        });
      });
      return 'applied';
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) throw refusedParcel(event, error);
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    // No running workflow: an ended one had its say (a repeat, or a fact too late to matter).
    try {
      await callTemporal(this.temporal, () => handle.describe());
      if (event.kind === 'return-received') return this.settledReturnOutcome(handle, event);
      return 'order-already-final';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw problems.notFound('order');
      throw error;
    }
  }

  /**
   * A return parcel for an order whose run has ended (every return settled) that the read model
   * still showed awaited: the run's final view says whether the parcel was taken or too late.
   */
  private async settledReturnOutcome(
    handle: ReturnType<Client['workflow']['getHandle']>,
    event: FulfillmentEvent,
  ): Promise<FulfillmentEventOutcome> {
    let final: OrderStatusView;
    try {
      final = (await callTemporal(this.temporal, () => handle.result())) as OrderStatusView;
    } catch (error) {
      if (error instanceof Problem) throw error;
      return 'order-already-final'; // failed or terminated: no return of it settles any more
    }
    const settled = final.returns?.find((r) => r.returnId === event.returnId);
    if (settled?.state === 'lapsed') {
      throw problems.conflict(
        'return-lapsed',
        `Return ${event.returnId} lapsed: its parcel was due by ${settled.parcelDueBy}; an operator settles it`,
      );
    }
    return settled ? 'already-recorded' : 'order-already-final';
  }

  /**
   * A return parcel is told to the workflow only while its return waits for it (undefined: tell
   * it). The read model knows every return the order authorized (the customer learns the id
   * only once it is projected), so an unknown one is a 404, one already back a harmless repeat
   * answered without a signal, and one that lapsed a 409.
   */
  private async returnParcelOutcome(
    event: FulfillmentEvent,
  ): Promise<FulfillmentEventOutcome | undefined> {
    if (!event.returnId) {
      throw problems.invalid([{ field: 'returnId', message: 'required with return-received' }]);
    }
    const view = await this.orders.viewOf(event.orderId);
    if (!view) throw problems.notFound('order');
    const authorized = view.returns?.find((r) => r.returnId === event.returnId);
    if (!authorized) {
      throw new Problem(
        404,
        'return-not-found',
        'Not found',
        `Order ${event.orderId} has no return ${event.returnId}`,
      );
    }
    if (authorized.state === 'received' || authorized.state === 'refunded') {
      return 'already-recorded';
    }
    if (authorized.state === 'lapsed') {
      throw problems.conflict(
        'return-lapsed',
        `Return ${event.returnId} lapsed: its parcel was due by ${authorized.parcelDueBy}; an operator settles it`,
      );
    }
    return undefined;
  }
}

/** The order's refusal of a return parcel, as the sender is answered. */
function refusedParcel(event: FulfillmentEvent, error: WorkflowUpdateFailedError): Error {
  const cause = error.cause;
  const type = cause instanceof ApplicationFailure ? cause.type : undefined;
  if (type === 'return-lapsed') return problems.conflict('return-lapsed', asDetail(cause!.message));
  if (type === 'return-not-found') {
    return new Problem(
      404,
      'return-not-found',
      'Not found',
      `Order ${event.orderId} has no return ${event.returnId}`,
    );
  }
  return error;
}
