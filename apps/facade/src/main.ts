/**
 * The strangler facade process (docs/strangler.md#the-facade-at-the-door): a reverse proxy on
 * FACADE_PORT (default 3500) in front of the monolith (MONOLITH_URL) that sends intake's share
 * of order placements to the platform's API (GATEWAY_URL). Intake's route is read from the
 * platform database's stage_route (set through the gateway's routing API).
 */
import { createServer } from 'node:http';
import { createLogger, mintToken, onShutdown, runMain } from '@order-platform/runtime';
import { platformDataSource, StageRouteStore } from '@order-platform/stores';
import { loadFacadeConfig } from './config';
import { createFacade } from './facade';
import { IntakeRouteCache } from './intake-route';

/** How long a token the facade mints for a customer's order lives: one request. */
const CUSTOMER_TOKEN_TTL_SECONDS = 60;
/** The segment the monolith's customers are treated as (as placedOrderFromLegacy does). */
const CUSTOMER_SEGMENT = 'standard';

runMain('facade', async () => {
  const config = loadFacadeConfig();
  const logger = createLogger('facade', config.logLevel);
  // Short timeouts: a routes store that does not answer falls back to the last known route
  // instead of holding orders up.
  const db = platformDataSource(config.databaseUrl, {
    applicationName: 'facade',
    maxConnections: 2,
    connectionTimeoutMs: 1_000,
    statementTimeoutMs: 1_000,
  });
  // The database may come up after the facade: the first reads fail over to the monolith, and
  // the pool connects when it can.
  await db
    .initialize()
    .catch((error: unknown) =>
      logger.warn('routes store not reachable at start', { error: String(error) }),
    );
  const routes = new StageRouteStore(db);
  const intake = new IntakeRouteCache(
    async () => {
      if (!db.isInitialized) await db.initialize();
      return routes.intakeRoute();
    },
    config.routeCacheMs,
    logger,
  );
  const handler = createFacade({
    monolithUrl: config.monolithUrl,
    gatewayUrl: config.gatewayUrl,
    intakeRoute: () => intake.current(),
    customerToken: (customerId) =>
      mintToken(
        {
          subject: customerId,
          roles: ['customer'],
          segment: CUSTOMER_SEGMENT,
          ttlSeconds: CUSTOMER_TOKEN_TTL_SECONDS,
        },
        config.tokens,
      ),
    bodyLimitBytes: config.bodyLimitBytes,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    readiness: [
      {
        name: 'routes-store',
        check: async () => {
          if (!db.isInitialized) await db.initialize();
          await db.query('SELECT 1');
        },
      },
    ],
    logger,
  });
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '0.0.0.0', resolve);
  });
  logger.info('facade listening', {
    port: config.port,
    monolith: config.monolithUrl,
    platform: config.gatewayUrl,
  });
  onShutdown(logger, [
    {
      name: 'stop taking requests',
      run: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    },
    { name: 'close the routes store', run: async () => db.isInitialized && db.destroy() },
  ]);
});
