/**
 * Dead letters for operators: list (newest first, by source topic and reason, a page at a time),
 * inspect, and replay after the cause is fixed. A replay re-publishes the original message to its
 * source topic, so it goes through the same inboxes (replaying twice has no effect), and is
 * audited with the operator's reason. Same code as `npm run dlq`.
 */
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  type OnApplicationShutdown,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  connectReplayKafka,
  type ReplayKafka,
  replayDeadLetters,
} from '@order-platform/legacy-adapter';
import { classifyFailure, createKafka, type Logger } from '@order-platform/runtime';
import { DeadLetterStore } from '@order-platform/stores';
import { CurrentPrincipal, RequireRole } from '../auth/auth.guard';
import type { Principal } from '../auth/tokens';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { LOGGER } from '../infrastructure/infrastructure.module';
import { ApiJsonBody, ApiJsonResponse, ApiProblems, ApiQueryParameters } from '../http/openapi';
import { problems } from '../http/problem';
import { bodyValidator, queryValidator } from '../http/validation';
import {
  DEAD_LETTER_SCHEMA,
  DEAD_LETTERS_QUERY_SCHEMA,
  DEAD_LETTERS_SCHEMA,
  type DeadLettersQuery,
  REPLAY_OUTCOME_SCHEMA,
  REPLAY_REQUEST_SCHEMA,
  type ReplayRequest,
} from './dead-letter-api.schemas';

const validateQuery = queryValidator<DeadLettersQuery>(DEAD_LETTERS_QUERY_SCHEMA);
const validateReplay = bodyValidator<ReplayRequest>(REPLAY_REQUEST_SCHEMA);

@ApiTags('operations')
@ApiBearerAuth()
@RequireRole('operator')
@ApiProblems(401, 403)
@Controller('v1/ops/dead-letters')
export class DeadLettersController implements OnApplicationShutdown {
  private kafka?: Promise<ReplayKafka & { disconnect: () => Promise<void> }>;

  constructor(
    private readonly store: DeadLetterStore,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Dead-lettered messages, newest first, by source topic and reason' })
  @ApiQueryParameters(DEAD_LETTERS_QUERY_SCHEMA)
  @ApiJsonResponse(200, 'A page of dead letters', DEAD_LETTERS_SCHEMA)
  @ApiProblems(400)
  async list(@Query() query: Record<string, unknown>) {
    const { topic, reason, status, limit, before } = validateQuery({ ...query });
    return this.store.list(
      { sourceTopic: topic, reasonContains: reason, status },
      { limit, before },
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'One dead letter: the message, its headers, why, and its replays' })
  @ApiParam({ name: 'id', schema: { type: 'string', pattern: '^[0-9]{1,18}$' } })
  @ApiJsonResponse(200, 'The dead letter', DEAD_LETTER_SCHEMA)
  @ApiProblems(404)
  async show(@Param('id') id: string) {
    const found = await this.store.show(id);
    if (!found) throw problems.notFound('dead letter');
    return found;
  }

  @Post('replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay dead letters to their source topics after the cause is fixed; audited',
  })
  @ApiJsonBody(REPLAY_REQUEST_SCHEMA)
  @ApiJsonResponse(200, 'What was replayed, not found, or not replayable', REPLAY_OUTCOME_SCHEMA)
  @ApiProblems(400, 413, 415, 503)
  async replay(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    const request = validateReplay(body);
    if ((request.ids === undefined) === (request.all === undefined)) {
      throw problems.invalid([{ field: 'ids', message: 'give either ids or all, not both' }]);
    }
    const selection = request.ids
      ? { ids: request.ids }
      : { all: { sourceTopic: request.all!.topic, reasonContains: request.all!.reasonContains } };
    try {
      return await replayDeadLetters(this.store, await this.connected(), selection, {
        operatorId: principal.subject,
        reason: request.reason.trim(),
      });
    } catch (error) {
      if (classifyFailure(error).kind !== 'dependency-down') throw error;
      this.logger.warn('dead-letter replay: a dependency is down', { error: String(error) });
      throw problems.unavailable('Kafka or PostgreSQL is not answering; nothing was replayed', 5);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await (await this.kafka?.catch(() => undefined))?.disconnect();
  }

  /** Connects on the first replay; a failed connect is forgotten so the next one tries again. */
  private connected(): Promise<ReplayKafka> {
    if (!this.kafka) {
      const attempt = connectReplayKafka(
        createKafka({
          clientId: 'gateway-dlq-replay',
          brokers: this.config.kafkaBrokers,
          logger: this.logger,
        }),
      );
      this.kafka = attempt;
      attempt.catch(() => {
        if (this.kafka === attempt) this.kafka = undefined;
      });
    }
    return this.kafka;
  }
}
