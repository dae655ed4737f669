import { Controller, Get, HttpCode, HttpStatus, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { checkReadiness, type HealthCheck, type Readiness } from '@order-platform/runtime';
import { Public } from '../auth/auth.guard';
import { READINESS_CHECKS } from '../infrastructure/infrastructure.module';

/** Probes for orchestrators and the start command: live = answering, ready = dependencies up. */
@ApiTags('health')
@Public()
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
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const readiness = await checkReadiness(this.checks);
    // The same body either way: which dependency failed is what the operator needs to see.
    if (readiness.status === 'unavailable') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return readiness;
  }
}
