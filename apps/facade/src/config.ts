/** The facade's configuration, validated once at start-up (docs/configuration.md). */
import {
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  env,
  LOG_LEVELS,
  loadConfig,
} from '@order-platform/runtime';

export const DEFAULT_FACADE_PORT = 3500;

export const loadFacadeConfig = (source: NodeJS.ProcessEnv = process.env) =>
  loadConfig(
    {
      port: env.port('FACADE_PORT', DEFAULT_FACADE_PORT),
      /** The monolith whose door this is: every request but a platform-bound order goes there. */
      monolithUrl: env.url('MONOLITH_URL', ['http', 'https'], 'http://127.0.0.1:3100'),
      /** The platform's API, where the platform's share of order placements goes. */
      gatewayUrl: env.url('GATEWAY_URL', ['http', 'https'], 'http://127.0.0.1:3000'),
      /** Where intake's route is stored (stage_route), set through the gateway's routing API. */
      databaseUrl: env.url('DATABASE_URL', ['postgres', 'postgresql']),
      logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      /** The gateway's token key: the facade vouches for the customer the monolith's way. */
      tokens: (e: NodeJS.ProcessEnv) => ({
        jwtSecret: env.secret('GATEWAY_JWT_SECRET', 32)(e),
        issuer: env.string('GATEWAY_JWT_ISSUER', DEFAULT_ISSUER)(e),
        audience: env.string('GATEWAY_JWT_AUDIENCE', DEFAULT_AUDIENCE)(e),
      }),
      /** How long a read of intake's route is used before it is read again. */
      routeCacheMs: env.int('FACADE_ROUTE_CACHE_MS', 2_000, { min: 0, max: 300_000 }),
      /** Order placements larger than this are refused (413) before either side sees them. */
      bodyLimitBytes: env.int('FACADE_BODY_LIMIT_BYTES', 64 * 1024, { min: 1024, max: 1 << 24 }),
      /** How long either side may take to answer before the caller gets a 504. */
      upstreamTimeoutMs: env.int('FACADE_UPSTREAM_TIMEOUT_MS', 10_000, { min: 100, max: 300_000 }),
    },
    source,
  );

export type FacadeConfig = ReturnType<typeof loadFacadeConfig>;
