import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole } from '../auth/auth.guard';
import type { Principal } from '../auth/tokens';
import { ApiJsonBody, ApiJsonResponse, ApiProblems, ApiQueryParameters } from '../http/openapi';
import { problems } from '../http/problem';
import { bodyValidator, queryValidator } from '../http/validation';
import {
  FINDING_SCHEMA,
  FINDINGS_QUERY_SCHEMA,
  FINDINGS_SCHEMA,
  type FindingsQuery,
  RESOLVE_REQUEST_SCHEMA,
  RUN_ID_PATTERN,
  RUN_REQUEST_SCHEMA,
  RUN_SCHEMA,
  type RunRequest,
} from './reconciliation-api.schemas';
import { ReconciliationService } from './reconciliation.service';

const validateFindingsQuery = queryValidator<FindingsQuery>(FINDINGS_QUERY_SCHEMA);
const validateResolve = bodyValidator<{ note: string }>(RESOLVE_REQUEST_SCHEMA);
const validateRun = bodyValidator<RunRequest>(RUN_REQUEST_SCHEMA);

@ApiTags('operations')
@ApiBearerAuth()
@RequireRole('operator')
@ApiProblems(401, 403)
@Controller('v1/ops/reconciliation')
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get('findings')
  @ApiOperation({
    summary: 'What reconciliation found: the exception queue (status=open), or what it repaired',
  })
  @ApiQueryParameters(FINDINGS_QUERY_SCHEMA)
  @ApiJsonResponse(200, 'Findings, oldest first', FINDINGS_SCHEMA)
  @ApiProblems(400)
  findings(@Query() query: Record<string, unknown>) {
    return this.reconciliation.findings(validateFindingsQuery({ ...query }));
  }

  @Post('findings/:id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve an open finding, with a note; audited' })
  @ApiParam({ name: 'id', schema: { type: 'string', pattern: '^[0-9]{1,18}$' } })
  @ApiJsonBody(RESOLVE_REQUEST_SCHEMA)
  @ApiJsonResponse(200, 'The finding, resolved', FINDING_SCHEMA)
  @ApiProblems(400, 404, 409, 413, 415)
  resolve(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    if (!/^[0-9]{1,18}$/.test(id)) throw problems.notFound('finding');
    return this.reconciliation.resolve(principal.subject, id, validateResolve(body).note);
  }

  @Post('runs')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Re-run reconciliation for one order or a time window',
    description:
      'Paced at ordersPerSecond so a large re-run cannot become a backlog of its own; running it again is harmless.',
  })
  @ApiJsonBody(RUN_REQUEST_SCHEMA)
  @ApiJsonResponse(202, 'The run started', RUN_SCHEMA)
  @ApiProblems(400, 413, 415, 503)
  startRun(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    return this.reconciliation.startRun(principal.subject, validateRun(body ?? {}));
  }

  @Get('runs/:runId')
  @ApiOperation({
    summary: 'A run: running, or completed with what it inspected, repaired and queued',
  })
  @ApiParam({ name: 'runId', schema: { type: 'string', pattern: RUN_ID_PATTERN } })
  @ApiJsonResponse(200, 'The run', RUN_SCHEMA)
  @ApiProblems(404, 503)
  run(@Param('runId') runId: string) {
    if (!new RegExp(RUN_ID_PATTERN).test(runId)) throw problems.notFound('reconciliation run');
    return this.reconciliation.run(runId);
  }
}
