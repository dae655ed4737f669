/**
 * Composes the simulators into one HTTP service: health, the admin reset, and each simulated
 * downstream (fraud, warehouse, payments, fulfilment, notifier, catalogue) on its own path
 * prefix, plus the fulfilment service's webhook notifier. Tests start it in-process with
 * `startSimulators`; `main.ts` runs it as a process.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { catalogueRoutes } from './catalogue/catalogue.routes';
import { openDb, type Db } from './db';
import { fraudRoutes } from './fraud/fraud.routes';
import { startWebhookNotifier } from './fulfillment/fulfillment-webhook';
import { fulfillmentRoutes } from './fulfillment/fulfillment.routes';
import { problem } from './http/problem';
import { createRouter, ok, route, type Route } from './http/router';
import { jsonLog, type Log } from './log';
import { notifierRoutes } from './notifier/notifier.routes';
import { paymentRoutes } from './payments/payments.routes';
import { resetAll, setupSchema } from './schema';
import { warehouseRoutes } from './warehouse/warehouse.routes';

export interface SimulatorsOptions {
  port: number;
  databaseUrl: string;
  host?: string;
  /** Where fulfilment facts are sent (the settings may change the URL) and the signing key. */
  fulfillmentWebhook?: { url?: string; secret?: string };
  /** The PostgreSQL schema holding the simulators' tables; tests may isolate themselves. */
  schema?: string;
  log?: Log;
}

export interface RunningSimulators {
  port: number;
  url: string;
  /** Stops taking connections, lets requests in flight finish, then closes the pool. */
  close(): Promise<void>;
}

/** A readiness probe that does not answer in time reads as not ready, instead of hanging. */
const READY_TIMEOUT_MS = 2_000;

export async function startSimulators(options: SimulatorsOptions): Promise<RunningSimulators> {
  const { host = '0.0.0.0', schema = 'simulators', log = jsonLog } = options;
  const db = openDb(options.databaseUrl, schema, (error) =>
    log('warn', 'an idle database connection failed', { error }),
  );
  try {
    await setupSchema(db, schema);
  } catch (error) {
    await db.close();
    throw error;
  }
  const notifier = startWebhookNotifier({
    db,
    secret: options.fulfillmentWebhook?.secret,
    defaultUrl: options.fulfillmentWebhook?.url,
    log,
  });
  const routes: Route[] = [
    ...healthRoutes(db),
    // A test helper, exempt from Idempotency-Key: it wipes the stored responses too.
    route('POST', '/admin/reset', async () => {
      await resetAll(db);
      return ok({ reset: true });
    }),
    ...fraudRoutes(db),
    ...warehouseRoutes(db),
    ...paymentRoutes(db),
    ...fulfillmentRoutes(db, {
      onFact: notifier.nudge,
      defaultWebhookUrl: options.fulfillmentWebhook?.url,
    }),
    ...notifierRoutes(db),
    ...catalogueRoutes(db),
  ];
  const server = createServer(
    createRouter(routes, (message, error) => log('error', message, { error })),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, resolve);
    });
  } catch (error) {
    await notifier.stop();
    await db.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await notifier.stop();
      await db.close();
    },
  };
}

function healthRoutes(db: Db): Route[] {
  return [
    route('GET', '/health/live', async () => ok({ status: 'ok' })),
    route('GET', '/health/ready', async () => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${READY_TIMEOUT_MS} ms`)),
          READY_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([db.query('SELECT 1'), deadline]);
        return ok({ status: 'ok', checks: { postgres: { status: 'up' } } });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw problem('unavailable', `postgres: ${message}`, {
          checks: { postgres: { status: 'down', error: message } },
        });
      } finally {
        clearTimeout(timer);
      }
    }),
  ];
}
