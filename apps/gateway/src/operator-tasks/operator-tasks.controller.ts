/**
 * Operator tasks of every kind (domain/src/operator-tasks.ts): what the platform could not settle
 * by itself, open until an operator closes it with an outcome that fits its kind and a note
 * (audited): post-hoc reviews of unscreened approvals, compensations a downstream refused for
 * good. A task is named by its order, kind and subject.
 */
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { isOutcomeOf, OPERATOR_TASK_KINDS, type OperatorTaskKind } from '@order-platform/domain';
import { OperatorTaskStore } from '@order-platform/stores';
import { CurrentPrincipal, RequireRole } from '../auth/auth.guard';
import type { Principal } from '../auth/tokens';
import { ApiJsonBody, ApiJsonResponse, ApiProblems, ApiQueryParameters } from '../http/openapi';
import { problems } from '../http/problem';
import { bodyValidator, queryValidator } from '../http/validation';
import { ORDER_ID_PATTERN } from '../orders/order-api.schemas';
import {
  CLOSE_TASK_REQUEST_SCHEMA,
  type CloseTaskRequest,
  OPERATOR_TASK_SCHEMA,
  OPERATOR_TASKS_QUERY_SCHEMA,
  OPERATOR_TASKS_SCHEMA,
  type OperatorTasksQuery,
} from './operator-task-api.schemas';

const validateQuery = queryValidator<OperatorTasksQuery>(OPERATOR_TASKS_QUERY_SCHEMA);
const validateClose = bodyValidator<CloseTaskRequest>(CLOSE_TASK_REQUEST_SCHEMA);
const ORDER_ID = new RegExp(ORDER_ID_PATTERN);
const SUBJECT_PATTERN = '^[a-z][a-z0-9-]{0,63}$';
const SUBJECT = new RegExp(SUBJECT_PATTERN);

@ApiTags('operations')
@ApiBearerAuth()
@RequireRole('operator')
@ApiProblems(401, 403)
@Controller('v1/ops/tasks')
export class OperatorTasksController {
  constructor(private readonly tasks: OperatorTaskStore) {}

  @Get()
  @ApiOperation({
    summary: 'What the platform could not settle by itself, for an operator (status=open)',
  })
  @ApiQueryParameters(OPERATOR_TASKS_QUERY_SCHEMA)
  @ApiJsonResponse(200, 'Operator tasks, oldest first', OPERATOR_TASKS_SCHEMA)
  @ApiProblems(400)
  async list(@Query() query: Record<string, unknown>) {
    const { status, kind, limit } = validateQuery({ ...query });
    return { tasks: await this.tasks.list({ status, ...(kind ? { kind } : {}) }, limit) };
  }

  @Post(':orderId/:kind/:subject/close')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Close an open task with an outcome that fits its kind and a note; audited',
  })
  @ApiParam({ name: 'orderId', schema: { type: 'string', pattern: ORDER_ID_PATTERN } })
  @ApiParam({ name: 'kind', schema: { type: 'string', enum: [...OPERATOR_TASK_KINDS] } })
  @ApiParam({ name: 'subject', schema: { type: 'string', pattern: SUBJECT_PATTERN } })
  @ApiJsonBody(CLOSE_TASK_REQUEST_SCHEMA)
  @ApiJsonResponse(200, 'The task, closed', OPERATOR_TASK_SCHEMA)
  @ApiProblems(400, 404, 409, 413, 415)
  async close(
    @CurrentPrincipal() principal: Principal,
    @Param('orderId') orderId: string,
    @Param('kind') kind: string,
    @Param('subject') subject: string,
    @Body() body: unknown,
  ) {
    const known = (OPERATOR_TASK_KINDS as readonly string[]).includes(kind);
    if (!ORDER_ID.test(orderId) || !known || !SUBJECT.test(subject)) {
      throw problems.notFound('operator task');
    }
    const decision = validateClose(body);
    if (!isOutcomeOf(kind as OperatorTaskKind, decision.outcome)) {
      throw problems.invalid([
        { field: 'outcome', message: `is not an outcome of a ${kind} task` },
      ]);
    }
    const key = { orderId, kind: kind as OperatorTaskKind, subject };
    const outcome = await this.tasks.close(key, principal.subject, decision);
    if ('notFound' in outcome) throw problems.notFound('operator task');
    if ('notOpen' in outcome) {
      throw problems.conflict('task-not-open', `The task is ${outcome.notOpen}, not open`);
    }
    return outcome.closed;
  }
}
