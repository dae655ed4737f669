import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireRole } from '../auth/auth.guard';
import type { Principal } from '../auth/tokens';
import { ApiJsonBody, ApiJsonResponse, ApiProblems, ApiQueryParameters } from '../http/openapi';
import { problems } from '../http/problem';
import { bodyValidator, queryValidator } from '../http/validation';
import {
  CANCELLATION_PENDING_SCHEMA,
  LIST_ORDERS_QUERY_SCHEMA,
  type ListOrdersQuery,
  ORDER_ACCEPTED_SCHEMA,
  ORDER_ID_PATTERN,
  ORDER_LIST_SCHEMA,
  ORDER_STATUS_SCHEMA,
  PLACE_ORDER_REQUEST_SCHEMA,
  type PlaceOrderRequest,
  READ_ORDER_QUERY_SCHEMA,
  type ReadOrderQuery,
} from './order-api.schemas';
import { refuseClientPricing } from './order-pricing';
import { OrdersService } from './orders.service';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;
const ORDER_ID = new RegExp(ORDER_ID_PATTERN);

const validatePlaceOrder = bodyValidator<PlaceOrderRequest>(PLACE_ORDER_REQUEST_SCHEMA);
const validateListQuery = queryValidator<ListOrdersQuery>(LIST_ORDERS_QUERY_SCHEMA);
const validateReadQuery = queryValidator<ReadOrderQuery>(READ_ORDER_QUERY_SCHEMA);

/** An id that cannot exist is "not found", like any other order the caller cannot see. */
function orderIdOf(raw: string): string {
  if (!ORDER_ID.test(raw)) throw problems.orderNotFound();
  return raw;
}

const ORDER_ID_PARAM = {
  name: 'orderId',
  schema: { type: 'string', pattern: ORDER_ID_PATTERN },
} as const;

@ApiTags('orders')
@ApiBearerAuth()
@RequireRole('customer')
@ApiProblems(401, 403)
@Controller('v1/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Place an order',
    description:
      'Priced by the catalogue, never by the client: `unitPrice` (or the old `expedited` flag) in the body is a 400. Send `expectedTotalMinor` (e.g. from `POST /v1/quotes`) to confirm the total: a different current total is a 409 `price-changed` carrying the current quote, and nothing is placed. An unknown sku is a 400 naming its line; `"shipping": "expedited"` is a paid option added to the total, and only such orders take the priority lane. 503 with Retry-After while the catalogue cannot answer. Idempotent by `Idempotency-Key`: the same key and body return the same order, the same key with another body is a 409. The customer is the token subject.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: 'Chosen by the client, unique per order it means to place',
    schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
  })
  @ApiJsonBody(PLACE_ORDER_REQUEST_SCHEMA)
  @ApiJsonResponse(
    202,
    'Accepted: the order is RECEIVED and its workflow started',
    ORDER_ACCEPTED_SCHEMA,
    {
      Location: { description: 'The order', schema: { type: 'string' } },
    },
  )
  @ApiProblems(400, 409, 413, 415, 429, 503)
  async place(
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!idempotencyKey || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw problems.invalid([
        { field: 'Idempotency-Key', message: 'required: 1-128 letters, digits, _ . : or -' },
      ]);
    }
    refuseClientPricing(body);
    const { created, accepted } = await this.orders.place(
      principal,
      idempotencyKey,
      validatePlaceOrder(body),
    );
    void reply.header('location', accepted.links.self);
    if (!created) void reply.header('idempotent-replayed', 'true');
    return accepted;
  }

  @Get()
  @ApiOperation({ summary: "The caller's orders, newest first" })
  @ApiQueryParameters(LIST_ORDERS_QUERY_SCHEMA)
  @ApiJsonResponse(200, 'One page of orders', ORDER_LIST_SCHEMA)
  @RouteSchema({ response: { 200: ORDER_LIST_SCHEMA } })
  @ApiProblems(400)
  list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>) {
    return this.orders.list(principal, validateListQuery({ ...query }));
  }

  @Get(':orderId')
  @ApiOperation({
    summary: 'The status of one order',
    description:
      'From the read model (`stale: true` while the workflow engine is unreachable), or from the workflow itself with `consistency=strong`.',
  })
  @ApiParam(ORDER_ID_PARAM)
  @ApiQueryParameters(READ_ORDER_QUERY_SCHEMA)
  @ApiJsonResponse(200, 'The order as the customer may see it', ORDER_STATUS_SCHEMA)
  // Fastify serializes the answer from the schema (fast-json-stringify): quicker than
  // JSON.stringify, and a field the schema does not name never leaves.
  @RouteSchema({ response: { 200: ORDER_STATUS_SCHEMA } })
  @ApiProblems(400, 404, 409, 503)
  read(
    @CurrentPrincipal() principal: Principal,
    @Param('orderId') orderId: string,
    @Query() query: Record<string, unknown>,
  ) {
    const { consistency } = validateReadQuery({ ...query });
    return this.orders.read(principal, orderIdOf(orderId), consistency);
  }

  @Post(':orderId/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel an order',
    description:
      '200 with the final status once the order is cancelled; 202 while the cancellation is still under way (the order), or when the order has not taken it up yet (`cancellation: pending`, e.g. while the platform is catching up: it may still be cancelled or refused; send the same cancel again, it attaches to the same request and answers its outcome); 409 with the reason, and what to do instead, when the order is past the point of no return (the warehouse has dispatched it, the payment is being captured, or it has shipped), including a cancel the warehouse overtook by dispatching before the shipment could be recalled.',
  })
  @ApiParam(ORDER_ID_PARAM)
  @ApiJsonResponse(200, 'Cancelled', ORDER_STATUS_SCHEMA)
  @ApiJsonResponse(
    202,
    'Cancellation accepted and under way (the order), or sent and not taken up yet (pending)',
    { oneOf: [ORDER_STATUS_SCHEMA, CANCELLATION_PENDING_SCHEMA] },
    {
      'Retry-After': {
        description: 'With a pending cancellation: when to send it again',
        schema: { type: 'integer' },
      },
    },
  )
  @ApiProblems(404, 409, 503)
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('orderId') orderId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const answer = await this.orders.cancel(principal, orderIdOf(orderId));
    if (answer.completed) return answer.order;
    void reply.status(202);
    if ('pending' in answer) {
      void reply.header('retry-after', '5');
      return answer.pending;
    }
    return answer.order;
  }
}
