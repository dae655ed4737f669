/** The gateway's configuration, validated once at start-up (docs/configuration.md). */
import {
  ConfigProblem,
  EncryptionCodec,
  env,
  LOG_LEVELS,
  loadConfig,
} from '@order-platform/runtime';
import {
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  type JwksSettings,
  type TokenSettings,
} from './auth/tokens';

export const loadGatewayConfig = (source: NodeJS.ProcessEnv = process.env) =>
  loadConfig(
    {
      port: env.port('GATEWAY_PORT', 3000),
      databaseUrl: env.url('DATABASE_URL', ['postgres', 'postgresql']),
      kafkaBrokers: env.hostPorts('KAFKA_BROKERS', '127.0.0.1:19092'),
      temporalAddress: env.string('TEMPORAL_ADDRESS', '127.0.0.1:7233'),
      temporalNamespace: env.string('TEMPORAL_NAMESPACE', 'default'),
      taskQueue: env.string('TEMPORAL_TASK_QUEUE', 'orders'),
      /** Encrypts every Temporal payload (PAYLOAD_CODEC_KEYS; runtime/src/payload-codec.ts). */
      payloadCodec: (e: NodeJS.ProcessEnv) => EncryptionCodec.fromEnv(e),
      temporalUiUrl: env.url('TEMPORAL_UI_URL', ['http', 'https'], 'http://127.0.0.1:8233'),
      logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      auth: (e: NodeJS.ProcessEnv): TokenSettings => ({
        /** HS256 key shared with whoever issues tokens (locally: `npm run token`; the facade). */
        jwtSecret: env.secret('GATEWAY_JWT_SECRET', 32)(e),
        issuer: env.string('GATEWAY_JWT_ISSUER', DEFAULT_ISSUER)(e),
        audience: env.string('GATEWAY_JWT_AUDIENCE', DEFAULT_AUDIENCE)(e),
        /** Longest `exp` - `iat` accepted, for either kind of token. */
        maxLifetimeSeconds: env.int(
          'GATEWAY_JWT_MAX_LIFETIME_SECONDS',
          DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
          { min: 60, max: 7 * 86_400 },
        )(e),
        jwks: jwksSettings(e),
      }),
      http: (e: NodeJS.ProcessEnv) => ({
        bodyLimitBytes: env.int('GATEWAY_BODY_LIMIT_BYTES', 64 * 1024, { min: 1024, max: 1 << 24 })(
          e,
        ),
        /** Origins allowed to call the API from a browser; none (no CORS headers) by default. */
        corsOrigins: env.list('GATEWAY_CORS_ORIGINS')(e),
      }),
      /**
       * Status reads answered from memory while PostgreSQL announces no change to the order
       * (stores/src/order-status/customer-order-cache.ts); 0 reads the database every time.
       */
      statusReadCacheEntries: env.int('STATUS_READ_CACHE_ENTRIES', 10_000, {
        min: 0,
        max: 1_000_000,
      }),
      metrics: (e: NodeJS.ProcessEnv) => ({
        /** What /metrics reads from the database is read at most this often, whatever the scrapes. */
        refreshMs: env.int('METRICS_REFRESH_MS', 5_000, { min: 100, max: 300_000 })(e),
      }),
      backlogHistory: (e: NodeJS.ProcessEnv) => ({
        /** How often the operator page's backlog history is sampled, and how many samples are kept. */
        sampleMs: env.int('BACKLOG_SAMPLE_MS', 10_000, { min: 100, max: 3_600_000 })(e),
        points: env.int('BACKLOG_HISTORY_POINTS', 360, { min: 2, max: 100_000 })(e),
      }),
      admission: (e: NodeJS.ProcessEnv) => ({
        /** Orders admitted but not started (AcceptedForProcessing + queued tasks) before 429. */
        maxPending: env.int('ADMISSION_MAX_PENDING', 500, { min: 1, max: 1_000_000 })(e),
        /** The priority lane: expedited orders are refused only past this higher bound. */
        maxPendingExpedited: env.int('ADMISSION_MAX_PENDING_EXPEDITED', 1000, {
          min: 1,
          max: 1_000_000,
        })(e),
        /** Submissions being handled at once; past it, 429 at once (bounded memory). */
        maxInFlight: env.int('ADMISSION_MAX_IN_FLIGHT', 64, { min: 1, max: 10_000 })(e),
        sampleIntervalMs: env.int('ADMISSION_SAMPLE_MS', 1000, { min: 100, max: 60_000 })(e),
        /** Per customer: a bucket of `burst` orders refilled at `perMinute`. */
        perCustomerPerMinute: env.int('RATE_LIMIT_ORDERS_PER_MINUTE', 60, { min: 1, max: 1e6 })(e),
        perCustomerBurst: env.int('RATE_LIMIT_ORDERS_BURST', 20, { min: 1, max: 1e6 })(e),
      }),
      catalogue: (e: NodeJS.ProcessEnv) => ({
        /** Where orders are priced (the simulators' catalogue locally, or a real pricing service). */
        url: env.url('CATALOGUE_URL', ['http', 'https'], 'http://127.0.0.1:3400')(e),
        /** A catalogue slower than this is unavailable: the order is refused with 503. */
        timeoutMs: env.int('CATALOGUE_TIMEOUT_MS', 2_000, { min: 100, max: 60_000 })(e),
      }),
      intake: (e: NodeJS.ProcessEnv) => ({
        /** A submission whose workflow could not be started by then expires (REJECTED, not-started). */
        startDeadlineMs: env.int('SUBMISSION_START_DEADLINE_MS', 15 * 60_000, {
          min: 1000,
          max: 7 * 86_400_000,
        })(e),
        /** How often the sweeper looks for submissions to start or expire. */
        sweepIntervalMs: env.int('SUBMISSION_SWEEP_INTERVAL_MS', 15_000, {
          min: 100,
          max: 3_600_000,
        })(e),
        /** How long a new submission is left to its own request before the sweeper starts it. */
        sweepSettleMs: env.int('SUBMISSION_SWEEP_SETTLE_MS', 30_000, { min: 0, max: 3_600_000 })(e),
      }),
      webhooks: (e: NodeJS.ProcessEnv) => ({
        /** The fulfilment webhook's key (the service signs with it); unset: the webhook is off. */
        fulfillmentSecret: read(e, 'GATEWAY_FULFILLMENT_WEBHOOK_SECRET')
          ? env.secret('GATEWAY_FULFILLMENT_WEBHOOK_SECRET', 32)(e)
          : undefined,
      }),
      promotion: (e: NodeJS.ProcessEnv) => ({
        /** The share of a stage's sample where both sides agreed, needed to give new more orders. */
        minMatchRate: env.number('PROMOTION_MIN_MATCH_RATE', 0.999, { min: 0, max: 1 })(e),
        /** The sample: the stage's latest comparisons, and how many there must be. */
        minSample: env.int('PROMOTION_MIN_SAMPLE', 1000, { min: 1, max: 1_000_000 })(e),
      }),
    },
    source,
  );

/** An identity provider's RS256/ES256 tokens, accepted besides HS256 when GATEWAY_JWKS_URL is set. */
function jwksSettings(e: NodeJS.ProcessEnv): JwksSettings | undefined {
  if (!read(e, 'GATEWAY_JWKS_URL')) return undefined;
  const url = env.url('GATEWAY_JWKS_URL', ['https', 'http'])(e);
  // Keys fetched in clear could be swapped on the way, and with them every token's meaning.
  const { protocol, hostname } = new URL(url);
  if (protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) {
    throw new ConfigProblem('GATEWAY_JWKS_URL must be https (http only on this host, for tests)');
  }
  return {
    url,
    /** Required: a provider's tokens must name it (its `iss`), no default could be right. */
    issuer: env.string('GATEWAY_JWKS_ISSUER')(e),
    audience: env.string(
      'GATEWAY_JWKS_AUDIENCE',
      read(e, 'GATEWAY_JWT_AUDIENCE') ?? DEFAULT_AUDIENCE,
    )(e),
    timeoutMs: env.int('GATEWAY_JWKS_TIMEOUT_MS', 3_000, { min: 100, max: 60_000 })(e),
    cacheMaxAgeMs: env.int('GATEWAY_JWKS_CACHE_MS', 600_000, { min: 1_000, max: 86_400_000 })(e),
    cooldownMs: env.int('GATEWAY_JWKS_COOLDOWN_MS', 30_000, { min: 0, max: 3_600_000 })(e),
  };
}

function read(e: NodeJS.ProcessEnv, name: string): string | undefined {
  return e[name]?.trim() || undefined;
}

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
