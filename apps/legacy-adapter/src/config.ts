/** The legacy adapter's configuration, validated once at start-up (docs/configuration.md). */
import { ConfigProblem, env, LOG_LEVELS, loadConfig } from '@order-platform/runtime';

const MIRROR_SOURCES = ['cdc', 'outbox', 'off'] as const;

/** MIRROR_TABLES: the monolith's orders, order lines and payments tables, in that order. */
const mirrorTables = (e: NodeJS.ProcessEnv) => {
  const tables = env.list('MIRROR_TABLES')(e);
  const [orders, orderLines, payments] =
    tables.length > 0 ? tables : ['monolith.orders', 'monolith.order_lines', 'monolith.payments'];
  if (tables.length !== 0 && tables.length !== 3) {
    throw new ConfigProblem('MIRROR_TABLES lists the orders, order lines and payments tables');
  }
  return { orders: orders!, orderLines: orderLines!, payments: payments! };
};

export const loadLegacyAdapterConfig = (source: NodeJS.ProcessEnv = process.env) =>
  loadConfig(
    {
      port: env.port('LEGACY_ADAPTER_PORT', 3200),
      legacyDatabaseUrl: env.url('LEGACY_DATABASE_URL', ['postgres', 'postgresql']),
      /** The platform's own database: the comparator's inbox, comparisons and ignore rules. */
      databaseUrl: env.url('DATABASE_URL', ['postgres', 'postgresql']),
      kafkaBrokers: env.hostPorts('KAFKA_BROKERS', '127.0.0.1:19092'),
      temporalAddress: env.string('TEMPORAL_ADDRESS', '127.0.0.1:7233'),
      temporalNamespace: env.string('TEMPORAL_NAMESPACE', 'default'),
      /** Where the workflows that follow monolith orders run (the worker's queue). */
      taskQueue: env.string('TEMPORAL_TASK_QUEUE', 'orders'),
      /** on: start and signal a workflow for every monolith order (the strangler's new side). */
      bridge: (e: NodeJS.ProcessEnv) =>
        env.oneOf('BRIDGE', ['on', 'off'] as const, 'on')(e) === 'on',
      /** A fact parked ahead of its placement this long refers to nothing: to the DLQ. */
      bridgeParkedFactBoundMs: env.int('BRIDGE_PARKED_FACT_BOUND_MS', 3_600_000, {
        min: 10_000,
        max: 30 * 86_400_000,
      }),
      logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      mirror: (e: NodeJS.ProcessEnv) => ({
        /** cdc: logical replication (pgoutput); outbox: poll the outbox; off: no mirror. */
        source: env.oneOf('MIRROR_SOURCE', MIRROR_SOURCES, 'cdc')(e),
        tables: mirrorTables(e),
        outboxTable: env.string('MIRROR_OUTBOX_TABLE', 'monolith.outbox')(e),
        publication: env.string('MIRROR_PUBLICATION', 'order_platform_mirror')(e),
        slot: env.string('MIRROR_SLOT', 'order_platform_mirror')(e),
        batchSize: env.int('MIRROR_BATCH_SIZE', 100, { min: 1, max: 10_000 })(e),
        pollMs: env.int('MIRROR_POLL_MS', 200, { min: 10, max: 60_000 })(e),
      }),
      comparator: (e: NodeJS.ProcessEnv) => ({
        enabled: env.oneOf('COMPARATOR', ['on', 'off'] as const, 'on')(e) === 'on',
        /** How long one side's decision waits for the other's before it counts as missing. */
        graceMs: env.int('COMPARATOR_GRACE_MS', 300_000, { min: 100, max: 86_400_000 })(e),
      }),
    },
    source,
  );

export type LegacyAdapterConfig = ReturnType<typeof loadLegacyAdapterConfig>;
