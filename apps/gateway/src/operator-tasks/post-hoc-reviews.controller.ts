/**
 * Post-hoc review tasks for operators: every fraud approval made without a screening (by policy:
 * the SLA ran out, the provider was down, a degraded mode) waits here, open, until an operator
 * closes it with an outcome and a note (audited). They are the `post-hoc-review` kind of
 * operator task (operator-tasks.controller.ts lists every kind); this API keeps its own shape.
 */
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type OperatorTaskRecord, OperatorTaskStore } from '@order-platform/stores';
import { CurrentPrincipal, RequireRole } from '../auth/auth.guard';
import type { Principal } from '../auth/tokens';
import { ApiJsonBody, ApiJsonResponse, ApiProblems, ApiQueryParameters } from '../http/openapi';
import { problems } from '../http/problem';
import { bodyValidator, queryValidator } from '../http/validation';
import { ORDER_ID_PATTERN } from '../orders/order-api.schemas';
import {
  CLOSE_REVIEW_REQUEST_SCHEMA,
  type CloseReviewRequest,
  POST_HOC_REVIEW_SCHEMA,
  POST_HOC_REVIEWS_QUERY_SCHEMA,
  POST_HOC_REVIEWS_SCHEMA,
  type PostHocReviewsQuery,
} from './post-hoc-review-api.schemas';

const validateQuery = queryValidator<PostHocReviewsQuery>(POST_HOC_REVIEWS_QUERY_SCHEMA);
const validateClose = bodyValidator<CloseReviewRequest>(CLOSE_REVIEW_REQUEST_SCHEMA);
const ORDER_ID = new RegExp(ORDER_ID_PATTERN);

@ApiTags('operations')
@ApiBearerAuth()
@RequireRole('operator')
@ApiProblems(401, 403)
@Controller('v1/ops/post-hoc-reviews')
export class PostHocReviewsController {
  constructor(private readonly tasks: OperatorTaskStore) {}

  @Get()
  @ApiOperation({
    summary: 'Fraud approvals made without a screening, to look at after the fact (status=open)',
  })
  @ApiQueryParameters(POST_HOC_REVIEWS_QUERY_SCHEMA)
  @ApiJsonResponse(200, 'Review tasks, oldest first', POST_HOC_REVIEWS_SCHEMA)
  @ApiProblems(400)
  async list(@Query() query: Record<string, unknown>) {
    const { status, limit } = validateQuery({ ...query });
    const tasks = await this.tasks.list({ status, kind: 'post-hoc-review' }, limit);
    return { reviews: tasks.map(asPostHocReview) };
  }

  @Post(':orderId/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close an open review task with an outcome and a note; audited' })
  @ApiParam({ name: 'orderId', schema: { type: 'string', pattern: ORDER_ID_PATTERN } })
  @ApiJsonBody(CLOSE_REVIEW_REQUEST_SCHEMA)
  @ApiJsonResponse(200, 'The task, closed', POST_HOC_REVIEW_SCHEMA)
  @ApiProblems(400, 404, 409, 413, 415)
  async close(
    @CurrentPrincipal() principal: Principal,
    @Param('orderId') orderId: string,
    @Body() body: unknown,
  ) {
    if (!ORDER_ID.test(orderId)) throw problems.notFound('post-hoc review');
    const outcome = await this.tasks.close(
      { orderId, kind: 'post-hoc-review', subject: 'fraud' },
      principal.subject,
      validateClose(body),
    );
    if ('notFound' in outcome) throw problems.notFound('post-hoc review');
    if ('notOpen' in outcome) {
      throw problems.conflict('review-not-open', `The review is ${outcome.notOpen}, not open`);
    }
    return asPostHocReview(outcome.closed);
  }
}

/** A post-hoc review as this API has always shown it. */
function asPostHocReview(task: OperatorTaskRecord) {
  const { orderId, customerId, reason, occurredAt, openedAt, status } = task;
  const { outcome, closedBy, closedAt, note } = task;
  return {
    orderId,
    customerId,
    flag: reason,
    approvedAt: occurredAt,
    openedAt,
    status,
    outcome,
    closedBy,
    closedAt,
    note,
  };
}
