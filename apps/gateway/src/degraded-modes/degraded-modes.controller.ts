import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { DEGRADED_MODE_NAMES } from '@order-platform/domain';
import { CurrentPrincipal, RequireRole } from '../auth/auth.guard';
import type { Principal } from '../auth/tokens';
import { ApiJsonBody, ApiJsonResponse, ApiProblems } from '../http/openapi';
import { bodyValidator } from '../http/validation';
import {
  CONFIGURE_REQUEST_SCHEMA,
  type ConfigureRequest,
  DEGRADED_MODE_SCHEMA,
  DEGRADED_MODES_SCHEMA,
} from './degraded-modes-api.schemas';
import { DegradedModesService } from './degraded-modes.service';

const validateConfigure = bodyValidator<ConfigureRequest>(CONFIGURE_REQUEST_SCHEMA);

@ApiTags('operations')
@ApiBearerAuth()
@RequireRole('operator')
@ApiProblems(401, 403)
@Controller('v1/ops/degraded-modes')
export class DegradedModesController {
  constructor(private readonly modes: DegradedModesService) {}

  @Get()
  @ApiOperation({
    summary: 'Degraded modes: which are on, why, what the monitor measured, and the audit',
  })
  @ApiJsonResponse(200, 'The modes and their latest changes', DEGRADED_MODES_SCHEMA)
  overview() {
    return this.modes.overview();
  }

  @Put(':name')
  @ApiOperation({
    summary: 'Configure a degraded mode (thresholds, policy); applies at the next measurement',
    description:
      'No deploy: the backlog monitor and every order deciding from now on read the new configuration. Audited with the reason.',
  })
  @ApiParam({ name: 'name', schema: { type: 'string', enum: [...DEGRADED_MODE_NAMES] } })
  @ApiJsonBody(CONFIGURE_REQUEST_SCHEMA)
  @ApiJsonResponse(200, 'The mode with its new configuration', DEGRADED_MODE_SCHEMA)
  @ApiProblems(400, 404, 413, 415)
  configure(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Body() body: unknown,
  ) {
    return this.modes.configure(principal.subject, name, validateConfigure(body));
  }
}
