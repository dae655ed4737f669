/** The legacy adapter's configuration, validated once at start-up (docs/configuration.md). */
import { EncryptionCodec, env, LOG_LEVELS, loadConfig } from '@order-platform/runtime';

const MIRROR_SOURCES = ['cdc', 'outbox', 'off'] as const;

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
      /** Encrypts every Temporal payload (PAYLOAD_CODEC_KEYS; runtime/src/payload-codec.ts). */
      payloadCodec: (e: NodeJS.ProcessEnv) => EncryptionCodec.fromEnv(e),
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
        /** The mapping module (docs/strangler.md#bring-your-own-monolith); unset: the sample monolith's. */
        mapping: e.MIRROR_MAPPING?.trim() || undefined,
        /** Where the mapping reads; unset: the mapping's own tables and outbox. */
        tables: env.list('MIRROR_TABLES')(e),
        outboxTable: e.MIRROR_OUTBOX_TABLE?.trim() || undefined,
        publication: env.string('MIRROR_PUBLICATION', 'order_platform_mirror')(e),
        slot: env.string('MIRROR_SLOT', 'order_platform_mirror')(e),
        batchSize: env.int('MIRROR_BATCH_SIZE', 100, { min: 1, max: 10_000 })(e),
        pollMs: env.int('MIRROR_POLL_MS', 200, { min: 10, max: 60_000 })(e),
        /** How often a standby asks for the mirror's lock (and a leader checks it holds it). */
        leaderPollMs: env.int('MIRROR_LEADER_POLL_MS', 1_000, { min: 100, max: 60_000 })(e),
        leaderStepDownAfterMs: env.int('MIRROR_LEADER_STEP_DOWN_AFTER_MS', 60_000, {
          min: 0,
          max: 3_600_000,
        })(e),
        /** The broker's message limit; 0: read the topic's max.message.bytes from the broker. */
        maxMessageBytes: env.int('MIRROR_MAX_MESSAGE_BYTES', 0, { min: 0, max: 2 ** 31 - 1 })(e),
        /** The producer's request limit (Kafka's max.request.size default). */
        maxRequestBytes: env.int('MIRROR_MAX_REQUEST_BYTES', 1_048_576, {
          min: 65_536,
          max: 2 ** 31 - 1,
        })(e),
        /** A transaction's row changes held before a chunk of them is sent (cdc). */
        chunkRows: env.int('MIRROR_CHUNK_ROWS', 1_000, { min: 1, max: 100_000 })(e),
        /** About how much row data a chunk holds before it is sent (cdc). */
        chunkBytes: env.int('MIRROR_CHUNK_BYTES', 8_388_608, { min: 65_536, max: 1_073_741_824 })(
          e,
        ),
        slotWatch: {
          checkMs: env.int('MIRROR_SLOT_CHECK_MS', 15_000, { min: 100, max: 3_600_000 })(e),
          lagWarnBytes: env.int('MIRROR_SLOT_LAG_WARN_BYTES', 1_073_741_824, {
            min: 1,
            max: Number.MAX_SAFE_INTEGER,
          })(e),
          ageWarnSeconds: env.int('MIRROR_SLOT_AGE_WARN_SECONDS', 600, { min: 1, max: 604_800 })(e),
        },
      }),
      /** on: the monolith's hand-over settings follow the platform's routes (docs/strangler.md). */
      handoverSync: (e: NodeJS.ProcessEnv) => ({
        enabled: env.oneOf('HANDOVER_SYNC', ['on', 'off'] as const, 'off')(e) === 'on',
        monolithUrl: env.url('MONOLITH_URL', ['http', 'https'], 'http://127.0.0.1:3100')(e),
        intervalMs: env.int('HANDOVER_SYNC_INTERVAL_MS', 2_000, { min: 100, max: 600_000 })(e),
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
