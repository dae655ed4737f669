/**
 * The gateway's connections, made once and closed on shutdown: Temporal (lazy, so the gateway
 * starts and serves reads from the read model while Temporal is down), the read model's
 * PostgreSQL through TypeORM, and the readiness checks over them.
 */
import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { OrderStatusRecord } from '@order-platform/activities';
import { createLogger, type HealthCheck, kafkaCheck, temporalCheck } from '@order-platform/runtime';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { OrderSubmissionRecord } from '../orders/order-submission.entity';

export const TEMPORAL_CONNECTION = Symbol('TemporalConnection');
export const READINESS_CHECKS = Symbol('ReadinessChecks');
export const LOGGER = Symbol('Logger');

@Global()
@Module({
  providers: [
    {
      provide: LOGGER,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) => createLogger('gateway', config.logLevel),
    },
    {
      provide: TEMPORAL_CONNECTION,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) => Connection.lazy({ address: config.temporalAddress }),
    },
    {
      provide: Client,
      inject: [GATEWAY_CONFIG, TEMPORAL_CONNECTION],
      useFactory: (config: GatewayConfig, connection: Connection) =>
        new Client({ connection, namespace: config.temporalNamespace }),
    },
    {
      provide: DataSource,
      inject: [GATEWAY_CONFIG],
      // PostgreSQL is needed to answer anything, so the gateway waits for it at start.
      useFactory: (config: GatewayConfig) =>
        new DataSource({
          type: 'postgres',
          url: config.databaseUrl,
          entities: [OrderStatusRecord, OrderSubmissionRecord],
          synchronize: false,
          migrationsRun: false,
          logging: ['error'],
          applicationName: 'order-platform-gateway',
          // Bounded: requests beyond the pool wait for a connection instead of opening more.
          extra: { max: 10, connectionTimeoutMillis: 5_000, statement_timeout: 5_000 },
        }).initialize(),
    },
    {
      provide: READINESS_CHECKS,
      inject: [GATEWAY_CONFIG, TEMPORAL_CONNECTION, DataSource],
      useFactory: (config: GatewayConfig, temporal: Connection, db: DataSource): HealthCheck[] => [
        temporalCheck(temporal),
        { name: 'postgres', check: async () => void (await db.query('SELECT 1')) },
        kafkaCheck(config.kafkaBrokers),
      ],
    },
  ],
  exports: [LOGGER, TEMPORAL_CONNECTION, Client, DataSource, READINESS_CHECKS],
})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(TEMPORAL_CONNECTION) private readonly temporal: Connection,
    private readonly db: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.temporal.close();
    if (this.db.isInitialized) await this.db.destroy();
  }
}
