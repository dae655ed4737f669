/**
 * Composes the monolith into one HTTP service: health, fraud settings, stock, its price list
 * and orders. Tests could start it in-process with `startMonolith`; `main.ts` runs it as a process.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDb, setupSchema, type Db } from './db';
import { loadFraudSettings, readFraudSettings, saveFraudSettings } from './fraud';
import { loadHandoverSettings, readHandoverSettings, saveHandoverSettings } from './handover';
import { createRouter, ok, problem, route, type Route } from './http';
import { jsonLog, type Log } from './log';
import { orderRoutes } from './orders';
import { productRoutes } from './products';
import { stockRoutes } from './stock';

export interface RunningMonolith {
  port: number;
  /** Stops taking connections, lets requests in flight finish, then closes the pool. */
  close(): Promise<void>;
}

/** A readiness probe that does not answer in time reads as not ready, instead of hanging. */
const READY_TIMEOUT_MS = 2_000;

export async function startMonolith(options: {
  port: number;
  databaseUrl: string;
  host?: string;
  log?: Log;
}): Promise<RunningMonolith> {
  const { host = '0.0.0.0', log = jsonLog } = options;
  const db = openDb(options.databaseUrl, (error) =>
    log('warn', 'an idle database connection failed', { error }),
  );
  try {
    await setupSchema(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  const routes: Route[] = [
    ...healthRoutes(db),
    route('GET', '/settings', async () =>
      ok({ fraud: await loadFraudSettings(db), handover: await loadHandoverSettings(db) }),
    ),
    route('PUT', '/settings/handover', async ({ body }) => {
      const handover = readHandoverSettings(body);
      await saveHandoverSettings(db, handover);
      log('info', 'handover settings changed', { handover });
      return ok(handover);
    }),
    route('PUT', '/settings/fraud', async ({ body }) => {
      const fraud = readFraudSettings(body);
      await saveFraudSettings(db, fraud);
      log('info', 'fraud settings changed', { fraud });
      return ok(fraud);
    }),
    ...stockRoutes(db),
    ...productRoutes(db),
    ...orderRoutes(db, log),
  ];
  const server = createServer(
    createRouter(routes, (message, error) => log('error', message, { error })),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
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
