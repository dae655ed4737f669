import { Controller, Get, HttpCode, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { checkReadiness, type HealthCheck } from '@order-platform/runtime';

export const READINESS_CHECKS = Symbol('ReadinessChecks');

/** Probes for orchestrators and the start command: live = answering, ready = dependencies up. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: HealthCheck[]) {}

  @Get('live')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ description: 'The process answers.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOkResponse({ description: 'Temporal, PostgreSQL and Kafka all answered.' })
  @ApiServiceUnavailableResponse({ description: 'At least one dependency did not answer.' })
  async ready(): Promise<unknown> {
    const readiness = await checkReadiness(this.checks);
    if (readiness.status !== 'ok')
      throw new HttpException(readiness, HttpStatus.SERVICE_UNAVAILABLE);
    return readiness;
  }
}
