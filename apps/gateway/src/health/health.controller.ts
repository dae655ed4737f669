import { Controller, Get, HttpCode, HttpStatus, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { type Readiness, ReadinessProbe } from '@order-platform/runtime';
import { Public } from '../auth/auth.guard';
import { READINESS } from '../infrastructure/infrastructure.module';

/**
 * Probes for orchestrators and the start command: live = answering; ready = PostgreSQL answers
 * (503 without it). Temporal or Kafka down is `degraded` with 200: the gateway still serves
 * reads, and the body says what is lost. The body never carries an exception's text.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS) private readonly probe: ReadinessProbe) {}

  @Get('live')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ description: 'The process answers.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOkResponse({
    description:
      'PostgreSQL answered: `ok`, or `degraded` when Temporal or Kafka did not (each check says what is lost).',
  })
  @ApiServiceUnavailableResponse({ description: 'PostgreSQL did not answer.' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const readiness = await this.probe.readiness();
    // The same body either way: which dependency failed is what the operator needs to see.
    if (readiness.status === 'unavailable') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return readiness;
  }
}
