/**
 * The fulfilment service tells the platform that a parcel left the warehouse or reached the
 * customer: `POST /v1/webhooks/fulfillment`, authenticated by its signature (no bearer token),
 * and passed on to the order's workflow as the fact's signal. The workflow keeps each fact once,
 * so a repeated event changes nothing. Answers: 200 once the workflow has the fact (or has
 * already ended, when the fact no longer matters); 401 for a bad signature or a stale
 * timestamp; 400 for a bad body; 404 for an order the platform has no workflow for (shipments
 * are only created by an order's workflow, so no retry will find it: the sender stops); 503
 * when Temporal is unreachable or no secret is configured (the sender retries).
 */
import { Body, Controller, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import { workflowIdForOrder } from '@order-platform/domain';
import { orderDeliveredSignal, shipmentDispatchedSignal } from '@order-platform/workflows';
import { Public } from '../auth/auth.guard';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { Problem, problems } from '../http/problem';
import { bodyValidator } from '../http/validation';
import { callTemporal } from '../infrastructure/temporal-calls';
import { FULFILLMENT_EVENT_SCHEMA, type FulfillmentEvent } from './fulfillment-webhook.schemas';
import {
  InvalidSignature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignature,
} from './webhook-signature';

const validateEvent = bodyValidator<FulfillmentEvent>(FULFILLMENT_EVENT_SCHEMA);

export type FulfillmentEventOutcome = 'applied' | 'order-already-final';

// Machine to machine, signed with a shared secret: not part of the published customer API.
@ApiExcludeController()
@Public()
@Controller('v1/webhooks/fulfillment')
export class FulfillmentWebhookController {
  constructor(
    private readonly temporal: Client,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
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
    return { eventId: event.eventId, outcome: await this.tellWorkflow(event) };
  }

  private async tellWorkflow(event: FulfillmentEvent): Promise<FulfillmentEventOutcome> {
    const handle = this.temporal.workflow.getHandle(workflowIdForOrder(event.orderId));
    try {
      await callTemporal(this.temporal, () =>
        event.kind === 'dispatched'
          ? handle.signal(shipmentDispatchedSignal, {})
          : handle.signal(orderDeliveredSignal),
      );
      return 'applied';
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    // No running workflow: an ended one had its say (a repeat, or a fact too late to matter).
    try {
      await callTemporal(this.temporal, () => handle.describe());
      return 'order-already-final';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw problems.notFound('order');
      throw error;
    }
  }
}
