/** The worker's configuration, validated once at start-up (README, "Configuration"). */
import { env, LOG_LEVELS, loadConfig } from '@order-platform/runtime';

export const loadWorkerConfig = (source: NodeJS.ProcessEnv = process.env) =>
  loadConfig(
    {
      temporalAddress: env.string('TEMPORAL_ADDRESS', '127.0.0.1:7233'),
      temporalNamespace: env.string('TEMPORAL_NAMESPACE', 'default'),
      taskQueue: env.string('TEMPORAL_TASK_QUEUE', 'orders'),
      port: env.port('WORKER_PORT', 3300),
      logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    },
    source,
  );

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;
