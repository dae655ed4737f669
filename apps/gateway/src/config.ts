/** The gateway's configuration, validated once at start-up (README, "Configuration"). */
import { env, LOG_LEVELS, loadConfig } from '@order-platform/runtime';

export const loadGatewayConfig = (source: NodeJS.ProcessEnv = process.env) =>
  loadConfig(
    {
      port: env.port('GATEWAY_PORT', 3000),
      databaseUrl: env.url('DATABASE_URL', ['postgres', 'postgresql']),
      kafkaBrokers: env.hostPorts('KAFKA_BROKERS', '127.0.0.1:19092'),
      temporalAddress: env.string('TEMPORAL_ADDRESS', '127.0.0.1:7233'),
      temporalNamespace: env.string('TEMPORAL_NAMESPACE', 'default'),
      temporalUiUrl: env.url('TEMPORAL_UI_URL', ['http', 'https'], 'http://127.0.0.1:8233'),
      logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    },
    source,
  );

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
