/** The worker's configuration, validated once at start-up (docs/configuration.md). */
import { existsSync } from 'node:fs';
import {
  type Downstream,
  DOWNSTREAMS,
  loadPolicies,
  PolicyError,
  type PolicySet,
  RECONCILIATION_GRACE_FLOOR_MS,
  reconciliationMinimumGrace,
} from '@order-platform/domain';
import { DOWNSTREAM_CALL_BUDGET_MS } from '@order-platform/workflows';
import {
  ConfigProblem,
  EncryptionCodec,
  env,
  LOG_LEVELS,
  loadConfig,
} from '@order-platform/runtime';

const SIMULATORS = 'http://127.0.0.1:3400';

/** STAGE_POLICY_OVERRIDES: JSON `{ "<segment>": { "<field>": value } }` over the defaults. */
const stagePolicies = (e: NodeJS.ProcessEnv): PolicySet => {
  const raw = e.STAGE_POLICY_OVERRIDES?.trim();
  let overrides: unknown = {};
  if (raw) {
    try {
      overrides = JSON.parse(raw);
    } catch {
      throw new ConfigProblem('STAGE_POLICY_OVERRIDES is not JSON');
    }
  }
  let policies: PolicySet;
  try {
    policies = loadPolicies(overrides);
  } catch (error) {
    if (error instanceof PolicyError)
      throw new ConfigProblem(`STAGE_POLICY_OVERRIDES: ${error.problems.join('; ')}`);
    throw error;
  }
  return policies;
};

/** Concurrent activities per downstream task queue (its bulkhead), unless configured. */
const DEFAULT_BULKHEAD_LIMIT = 50;

/** BULKHEAD_LIMITS: `fraud=20,payment=10`: concurrent activities per downstream. */
const bulkheadLimits = (e: NodeJS.ProcessEnv): Record<Downstream, number> => {
  const limits = Object.fromEntries(DOWNSTREAMS.map((d) => [d, DEFAULT_BULKHEAD_LIMIT])) as Record<
    Downstream,
    number
  >;
  for (const entry of (e.BULKHEAD_LIMITS ?? '').split(',').filter((part) => part.trim())) {
    const [name, value] = entry.split('=').map((part) => part.trim());
    const limit = Number(value);
    if (!DOWNSTREAMS.includes(name as Downstream))
      throw new ConfigProblem(
        `BULKHEAD_LIMITS: unknown downstream ${name} (known: ${DOWNSTREAMS.join(', ')})`,
      );
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new ConfigProblem(`BULKHEAD_LIMITS: ${name} needs an integer from 1 to 1000`);
    limits[name as Downstream] = limit;
  }
  return limits;
};

export const loadWorkerConfig = (source: NodeJS.ProcessEnv = process.env) =>
  loadConfig(
    {
      temporalAddress: env.string('TEMPORAL_ADDRESS', '127.0.0.1:7233'),
      temporalNamespace: env.string('TEMPORAL_NAMESPACE', 'default'),
      /** Encrypts every Temporal payload (PAYLOAD_CODEC_KEYS; runtime/src/payload-codec.ts). */
      payloadCodec: (e: NodeJS.ProcessEnv) => EncryptionCodec.fromEnv(e),
      taskQueue: env.string('TEMPORAL_TASK_QUEUE', 'orders'),
      databaseUrl: env.url('DATABASE_URL', ['postgres', 'postgresql']),
      kafkaBrokers: env.hostPorts('KAFKA_BROKERS', '127.0.0.1:19092'),
      /** Each downstream context's base URL; the variables are named for its service. */
      downstream: (e): Record<Downstream, string> => ({
        fraud: env.url('FRAUD_URL', ['http', 'https'], SIMULATORS)(e),
        inventory: env.url('WAREHOUSE_URL', ['http', 'https'], SIMULATORS)(e),
        payment: env.url('PAYMENTS_URL', ['http', 'https'], SIMULATORS)(e),
        fulfillment: env.url('FULFILLMENT_URL', ['http', 'https'], SIMULATORS)(e),
        notifications: env.url('NOTIFIER_URL', ['http', 'https'], SIMULATORS)(e),
      }),
      policies: stagePolicies,
      bulkheadLimits,
      /** Opens after this many failed or slow screenings in a row, refusing for FRAUD_CIRCUIT_OPEN_MS. */
      fraudCircuit: (e: NodeJS.ProcessEnv) => ({
        failureThreshold: env.int('FRAUD_CIRCUIT_FAILURES', 5, { min: 1, max: 1000 })(e),
        slowCallMs: env.int('FRAUD_CIRCUIT_SLOW_CALL_MS', 60_000, { min: 100, max: 3_600_000 })(e),
        openMs: env.int('FRAUD_CIRCUIT_OPEN_MS', 30_000, { min: 100, max: 3_600_000 })(e),
      }),
      /** How often the backlog monitor measures the fraud stage and may switch degraded modes. */
      backlogMonitorIntervalMs: env.int('BACKLOG_MONITOR_INTERVAL_MS', 15_000, {
        min: 500,
        max: 3_600_000,
      }),
      reconciliation: (e: NodeJS.ProcessEnv) => ({
        /** Schedule interval, and the window of orders each scheduled run looks at. */
        intervalMs: env.int('RECONCILIATION_INTERVAL_MS', 15 * 60_000, {
          min: 10_000,
          max: 7 * 86_400_000,
        })(e),
        lookbackMs: env.int('RECONCILIATION_LOOKBACK_MS', 86_400_000, {
          min: 60_000,
          max: 90 * 86_400_000,
        })(e),
        /**
         * The shortest grace these step timeouts allow, per kind of hold: every reconciliation
         * run asks the worker for it (domain `reconciliationMinimumGrace`).
         */
        minimumGrace: reconciliationMinimumGrace(stagePolicies(e), DOWNSTREAM_CALL_BUDGET_MS),
        /**
         * Holds younger than this are not judged by the scheduled run. Unset: the minimum the
         * workflow derives from the step timeouts (it never judges inside that, whatever this says).
         */
        graceMs: !e.RECONCILIATION_GRACE_MS?.trim()
          ? undefined
          : env.int('RECONCILIATION_GRACE_MS', 0, {
              min: RECONCILIATION_GRACE_FLOOR_MS,
              max: 86_400_000,
            })(e),
        ordersPerSecond: env.int('RECONCILIATION_ORDERS_PER_SECOND', 20, { min: 1, max: 1000 })(e),
      }),
      /** The legacy monolith's API, told the platform's decisions for stages it owns. */
      monolithUrl: env.url('MONOLITH_URL', ['http', 'https'], 'http://127.0.0.1:3100'),
      /** A prebuilt workflow bundle (the image's); unset, the worker bundles workflows/ at start. */
      workflowBundlePath: (e: NodeJS.ProcessEnv) => {
        const path = e.WORKFLOW_BUNDLE_PATH?.trim();
        if (path && !existsSync(path))
          throw new ConfigProblem(`WORKFLOW_BUNDLE_PATH: no file ${path}`);
        return path || undefined;
      },
      /**
       * Workflows kept in the worker's sticky cache (each a sandbox with its state). Unset: the
       * SDK's default, about 600 per GiB of the Node heap limit. A smaller cache bounds the
       * worker's memory; a workflow pushed out replays its history on its next task.
       */
      maxCachedWorkflows: (e: NodeJS.ProcessEnv) =>
        !e.WORKER_MAX_CACHED_WORKFLOWS?.trim()
          ? undefined
          : env.int('WORKER_MAX_CACHED_WORKFLOWS', 0, { min: 2, max: 1_000_000 })(e),
      port: env.port('WORKER_PORT', 3300),
      logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    },
    source,
  );

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;
