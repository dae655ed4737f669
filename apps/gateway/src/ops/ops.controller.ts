import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole } from '../auth/auth.guard';
import type { Principal } from '../auth/tokens';
import { ApiJsonBody, ApiJsonResponse, ApiProblems, ApiQueryParameters } from '../http/openapi';
import { problems } from '../http/problem';
import { bodyValidator, queryValidator } from '../http/validation';
import { ORDER_ID_PATTERN } from '../orders/order-api.schemas';
import { BacklogHistory } from './backlog-history';
import { BacklogService } from './backlog.service';
import {
  BACKLOG_HISTORY_SCHEMA,
  CANCEL_FOR_CUSTOMER_REQUEST_SCHEMA,
  CANCELLED_FOR_CUSTOMER_SCHEMA,
  type CancelForCustomerRequest,
  ORDER_DETAIL_SCHEMA,
  BACKLOG_SCHEMA,
  OPEN_RETURNS_QUERY_SCHEMA,
  OPEN_RETURNS_SCHEMA,
  type OpenReturnsQuery,
  REVIEW_RECORDED_SCHEMA,
  REVIEW_REQUEST_SCHEMA,
  type ReviewRequest,
  STUCK_ORDERS_QUERY_SCHEMA,
  STUCK_ORDERS_SCHEMA,
  type StuckOrdersQuery,
} from './ops-api.schemas';
import { OpsService } from './ops.service';

const validateStuckQuery = queryValidator<StuckOrdersQuery>(STUCK_ORDERS_QUERY_SCHEMA);
const validateReturnsQuery = queryValidator<OpenReturnsQuery>(OPEN_RETURNS_QUERY_SCHEMA);
const validateReview = bodyValidator<ReviewRequest>(REVIEW_REQUEST_SCHEMA);
const validateCancel = bodyValidator<CancelForCustomerRequest>(CANCEL_FOR_CUSTOMER_REQUEST_SCHEMA);

@ApiTags('operations')
@ApiBearerAuth()
@RequireRole('operator')
@ApiProblems(401, 403)
@Controller('v1/ops')
export class OpsController {
  constructor(
    private readonly backlog: BacklogService,
    private readonly history: BacklogHistory,
    private readonly ops: OpsService,
  ) {}

  @Get('backlog')
  @ApiOperation({ summary: 'Backlog per business stage: count, ages, share past the deadline' })
  @ApiJsonResponse(200, 'The backlog now', BACKLOG_SCHEMA)
  getBacklog() {
    return this.backlog.snapshot();
  }

  @Get('backlog/history')
  @ApiOperation({
    summary: 'Orders and overdue orders per stage over time (the operator page charts)',
  })
  @ApiJsonResponse(200, 'The samples this gateway kept, oldest first', BACKLOG_HISTORY_SCHEMA)
  backlogHistory() {
    return this.history.history();
  }

  @Get('orders')
  @ApiOperation({ summary: 'Open orders, oldest first: the stuck ones with overdue=true' })
  @ApiQueryParameters(STUCK_ORDERS_QUERY_SCHEMA)
  @ApiJsonResponse(200, 'Orders with links into the Temporal Web UI', STUCK_ORDERS_SCHEMA)
  @ApiProblems(400)
  stuckOrders(@Query() query: Record<string, unknown>) {
    return this.ops.stuckOrders(validateStuckQuery({ ...query }));
  }

  @Get('orders/:orderId')
  @ApiOperation({
    summary:
      'One order for the operator: lifecycle, holds, compensations, notifications, comparisons, audit',
    description:
      'From the read model: every stage with its time and deadline, what the order holds now (with expiries), its compensations, the notifications its customer was sent (kind, channel, time, ids), the comparisons of a monolith order, what operators did to it, its tasks and findings, and its workflow in the Temporal Web UI. 404 until the order has a projection.',
  })
  @ApiParam({ name: 'orderId', schema: { type: 'string', pattern: ORDER_ID_PATTERN } })
  @ApiJsonResponse(200, 'The order', ORDER_DETAIL_SCHEMA)
  @ApiProblems(404)
  order(@Param('orderId') orderId: string) {
    if (!new RegExp(ORDER_ID_PATTERN).test(orderId)) throw problems.orderNotFound();
    return this.ops.order(orderId);
  }

  @Post('orders/:orderId/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: "Cancel an order on the customer's behalf, with a reason; audited",
    description:
      "The customer's own cancel (the same workflow update, so never a second one), asked by the operator: the same 409 cancel-refused with the reason when the order is past the point of no return or was placed in the monolith. Audited with the operator id and the reason unless refused.",
  })
  @ApiParam({ name: 'orderId', schema: { type: 'string', pattern: ORDER_ID_PATTERN } })
  @ApiJsonBody(CANCEL_FOR_CUSTOMER_REQUEST_SCHEMA)
  @ApiJsonResponse(200, 'What came of it, with the audit record id', CANCELLED_FOR_CUSTOMER_SCHEMA)
  @ApiProblems(400, 404, 409, 413, 415, 503)
  cancelForCustomer(
    @CurrentPrincipal() principal: Principal,
    @Param('orderId') orderId: string,
    @Body() body: unknown,
  ) {
    if (!new RegExp(ORDER_ID_PATTERN).test(orderId)) throw problems.orderNotFound();
    return this.ops.cancelForCustomer(principal.subject, orderId, validateCancel(body));
  }

  @Get('returns')
  @ApiOperation({
    summary: 'Open returns, the earliest due first: the overdue ones with overdue=true',
    description:
      'A return is open while it waits for its parcel or, back, for its refund. Paginated with `cursor`.',
  })
  @ApiQueryParameters(OPEN_RETURNS_QUERY_SCHEMA)
  @ApiJsonResponse(200, 'Returns with links into the Temporal Web UI', OPEN_RETURNS_SCHEMA)
  @ApiProblems(400)
  openReturns(@Query() query: Record<string, unknown>) {
    return this.ops.openReturns(validateReturnsQuery({ ...query }));
  }

  @Post('orders/:orderId/review')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Decide a manual review',
    description:
      'Only while the order waits for this decision (ManualReviewRequired, not yet decided): otherwise 409 and nothing is audited. Accepted decisions are audited with the operator id from the token.',
  })
  @ApiParam({ name: 'orderId', schema: { type: 'string', pattern: ORDER_ID_PATTERN } })
  @ApiJsonBody(REVIEW_REQUEST_SCHEMA)
  @ApiJsonResponse(202, 'Decision accepted by the order and audited', REVIEW_RECORDED_SCHEMA)
  @ApiProblems(400, 404, 409, 413, 415, 503)
  review(
    @CurrentPrincipal() principal: Principal,
    @Param('orderId') orderId: string,
    @Body() body: unknown,
  ) {
    if (!new RegExp(ORDER_ID_PATTERN).test(orderId)) throw problems.orderNotFound();
    return this.ops.review(principal.subject, orderId, validateReview(body));
  }
}
