/**
 * The gateway's connections, made once and closed on shutdown: Temporal (lazy, so the gateway
 * starts and serves reads from the read model while Temporal is down), the read model's
 * PostgreSQL through the stores' DataSource and the stores over it, and readiness (PostgreSQL
 * required; Temporal and Kafka down degrade it).
 */
import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { DataSource } from 'typeorm';
import {
  createLogger,
  kafkaCheck,
  type Logger,
  ReadinessProbe,
  temporalCheck,
  tracingClientInterceptors,
  temporalConnectionOptions,
} from '@order-platform/runtime';
import {
  AdmissionStore,
  CustomerNotificationStore,
  CustomerOrderCache,
  DeadLetterStore,
  OrderStatusStore,
  OrderSubmissionStore,
  platformDataSource,
  PostgresOrderReadChanges,
  OperatorTaskStore,
  ReconciliationFindingStore,
  StageRouteStore,
} from '@order-platform/stores';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

export const TEMPORAL_CONNECTION = Symbol('TemporalConnection');
/**
 * The longest a status read is answered from memory, announced changes or not: a bound should
 * an announcement ever go missing unnoticed.
 */
const STATUS_READ_MAX_AGE_MS = 5_000;
export const READINESS = Symbol('Readiness');
export const LOGGER = Symbol('Logger');

/** The stores the gateway's services use, each over the one DataSource. */
const STORES = [
  AdmissionStore,
  OrderSubmissionStore,
  OrderStatusStore,
  StageRouteStore,
  ReconciliationFindingStore,
  OperatorTaskStore,
  DeadLetterStore,
  CustomerNotificationStore,
];

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
      useFactory: (config: GatewayConfig) =>
        Connection.lazy(temporalConnectionOptions(config.temporalAddress)),
    },
    {
      provide: Client,
      inject: [GATEWAY_CONFIG, TEMPORAL_CONNECTION],
      useFactory: (config: GatewayConfig, connection: Connection) =>
        new Client({
          connection,
          namespace: config.temporalNamespace,
          interceptors: tracingClientInterceptors(),
          dataConverter: { payloadCodecs: [config.payloadCodec] },
        }),
    },
    {
      provide: DataSource,
      inject: [GATEWAY_CONFIG],
      // PostgreSQL is needed to answer anything, so the gateway waits for it at start.
      useFactory: (config: GatewayConfig) =>
        platformDataSource(config.databaseUrl, {
          applicationName: 'order-platform-gateway',
          maxConnections: 10,
          connectionTimeoutMs: 5_000,
          statementTimeoutMs: 5_000,
        }).initialize(),
    },
    ...STORES.map((store) => ({
      provide: store,
      inject: [DataSource],
      useFactory: (db: DataSource) => new store(db),
    })),
    {
      provide: PostgresOrderReadChanges,
      inject: [GATEWAY_CONFIG, LOGGER],
      // Not listening (PostgreSQL down at start) only means status reads are not cached yet.
      useFactory: async (config: GatewayConfig, logger: Logger) => {
        const changes = new PostgresOrderReadChanges(config.databaseUrl, {
          applicationName: 'order-platform-gateway-read-changes',
          logger,
        });
        if (config.statusReadCacheEntries > 0) await changes.start();
        return changes;
      },
    },
    {
      provide: CustomerOrderCache,
      inject: [OrderStatusStore, PostgresOrderReadChanges, GATEWAY_CONFIG],
      useFactory: (
        orders: OrderStatusStore,
        changes: PostgresOrderReadChanges,
        config: GatewayConfig,
      ) =>
        new CustomerOrderCache(orders, changes, {
          maxEntries: config.statusReadCacheEntries,
          maxAgeMs: STATUS_READ_MAX_AGE_MS,
        }),
    },
    {
      // Only PostgreSQL is required: without Temporal the gateway serves reads from the read
      // model (marked stale), and it uses Kafka only to replay dead letters.
      provide: READINESS,
      inject: [TEMPORAL_CONNECTION, DataSource, LOGGER, GATEWAY_CONFIG],
      useFactory: (temporal: Connection, db: DataSource, logger: Logger, config: GatewayConfig) =>
        new ReadinessProbe(
          [
            {
              ...temporalCheck(temporal),
              withoutIt:
                'orders are not placed, cancelled or signalled; reads are served from the read model, marked stale',
            },
            { name: 'postgres', check: async () => void (await db.query('SELECT 1')) },
            { ...kafkaCheck(config.kafkaBrokers), withoutIt: 'dead letters are not replayed' },
          ],
          { logger },
        ),
    },
  ],
  exports: [
    LOGGER,
    TEMPORAL_CONNECTION,
    Client,
    DataSource,
    READINESS,
    CustomerOrderCache,
    PostgresOrderReadChanges,
    ...STORES,
  ],
})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(TEMPORAL_CONNECTION) private readonly temporal: Connection,
    private readonly db: DataSource,
    private readonly readChanges: PostgresOrderReadChanges,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.readChanges.stop();
    await this.temporal.close();
    if (this.db.isInitialized) await this.db.destroy();
  }
}
