/** The legacy adapter's configuration, validated once at start-up (README, "Configuration"). */
import { env, LOG_LEVELS, loadConfig } from '@order-platform/runtime';

export const loadLegacyAdapterConfig = (source: NodeJS.ProcessEnv = process.env) =>
  loadConfig(
    {
      port: env.port('LEGACY_ADAPTER_PORT', 3200),
      legacyDatabaseUrl: env.url('LEGACY_DATABASE_URL', ['postgres', 'postgresql']),
      kafkaBrokers: env.hostPorts('KAFKA_BROKERS', '127.0.0.1:19092'),
      temporalAddress: env.string('TEMPORAL_ADDRESS', '127.0.0.1:7233'),
      logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    },
    source,
  );
