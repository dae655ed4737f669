import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Connection } from '@temporalio/client';
import { type Pool } from 'pg';
import {
  createLogger,
  createPgPool,
  kafkaCheck,
  postgresCheck,
  temporalCheck,
} from '@order-platform/runtime';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { HealthController, READINESS_CHECKS } from './health.controller';

const TEMPORAL_CONNECTION = Symbol('TemporalConnection');
const PG_POOL = Symbol('PgPool');

@Module({
  controllers: [HealthController],
  providers: [
    {
      provide: TEMPORAL_CONNECTION,
      inject: [GATEWAY_CONFIG],
      // lazy: the gateway starts (and serves reads from the read model) while Temporal is down.
      useFactory: (config: GatewayConfig) => Connection.lazy({ address: config.temporalAddress }),
    },
    {
      provide: PG_POOL,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) =>
        createPgPool(config.databaseUrl, createLogger('gateway', config.logLevel), 2),
    },
    {
      provide: READINESS_CHECKS,
      inject: [GATEWAY_CONFIG, TEMPORAL_CONNECTION, PG_POOL],
      useFactory: (config: GatewayConfig, temporal: Connection, pool: Pool) => [
        temporalCheck(temporal),
        postgresCheck(pool),
        kafkaCheck(config.kafkaBrokers),
      ],
    },
  ],
})
export class HealthModule implements OnApplicationShutdown {
  constructor(
    @Inject(TEMPORAL_CONNECTION) private readonly temporal: Connection,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.temporal.close();
    await this.pool.end();
  }
}
