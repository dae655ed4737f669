import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ROUTED_STAGES, type RoutedStage } from '@order-platform/domain';
import { CurrentPrincipal, RequireRole } from '../auth/auth.guard';
import type { Principal } from '../auth/tokens';
import { ApiJsonBody, ApiJsonResponse, ApiProblems, ApiQueryParameters } from '../http/openapi';
import { problems } from '../http/problem';
import { bodyValidator, queryValidator } from '../http/validation';
import {
  MIGRATION_QUERY_SCHEMA,
  MIGRATION_REPORT_SCHEMA,
  type MigrationQuery,
  ROUTE_CHANGE_REQUEST_SCHEMA,
  ROUTE_CHANGED_SCHEMA,
  type RouteChangeRequest,
  ROUTING_SCHEMA,
} from './migration-api.schemas';
import { MigrationService } from './migration.service';

const validateChange = bodyValidator<RouteChangeRequest>(ROUTE_CHANGE_REQUEST_SCHEMA);
const validateReportQuery = queryValidator<MigrationQuery>(MIGRATION_QUERY_SCHEMA);

@ApiTags('operations')
@ApiBearerAuth()
@RequireRole('operator')
@ApiProblems(401, 403)
@Controller('v1/ops')
export class MigrationController {
  constructor(private readonly migration: MigrationService) {}

  @Get('routing')
  @ApiOperation({
    summary:
      "Every migration stage's route (legacy, shadow or new, and the ramp), and intake's: the share of customers the facade sends to the platform",
  })
  @ApiJsonResponse(200, 'The routes now', ROUTING_SCHEMA)
  routing() {
    return this.migration.routing().then((routes) => ({ routes }));
  }

  @Put('routing/:stage')
  @ApiOperation({
    summary: "Change a stage's route",
    description:
      "Giving the new side more orders (shadow to new, a higher newPercent) needs the stage to clear the promotion bar (GET /v1/ops/migration) or an overrideReason; legacy straight to new always needs one. The stage `intake` is the facade at the monolith's door: legacy (every customer to the monolith) or new with newPercent (that share of customers, sticky per customer, to the platform); shadow is refused, and a higher share needs every stage to clear the bar or an overrideReason. Going back is never refused. Audited with the operator id, the reason and the evidence.",
  })
  @ApiParam({ name: 'stage', schema: { type: 'string', enum: [...ROUTED_STAGES] } })
  @ApiJsonBody(ROUTE_CHANGE_REQUEST_SCHEMA)
  @ApiJsonResponse(200, 'The route as changed, with the audit record id', ROUTE_CHANGED_SCHEMA)
  @ApiProblems(400, 404, 409, 413, 415)
  changeRoute(
    @CurrentPrincipal() principal: Principal,
    @Param('stage') stage: string,
    @Body() body: unknown,
  ) {
    if (!(ROUTED_STAGES as readonly string[]).includes(stage)) throw problems.routeNotFound();
    return this.migration.changeRoute(
      principal.subject,
      stage as RoutedStage,
      validateChange(body),
    );
  }

  @Get('migration')
  @ApiOperation({
    summary: 'Migration report per stage: route, match rate, top differences, ignore rules',
    description:
      "Each stage's sample is its latest bar.minSample comparisons; a mismatch an ignore rule excused counts as a match. With strict=true (for CI) the answer is 409 urn:order-platform:problem:unexcused-mismatches when any stage's sample holds a mismatch no ignore rule excuses.",
  })
  @ApiQueryParameters(MIGRATION_QUERY_SCHEMA)
  @ApiJsonResponse(200, 'The report', MIGRATION_REPORT_SCHEMA)
  @ApiProblems(400, 409)
  report(@Query() query: Record<string, unknown>) {
    return this.migration.report(validateReportQuery({ ...query }));
  }
}
