/**
 * A sample legacy order monolith, the stand-in for a customer's system that the platform
 * strangles: orders, stock, payments and an outbox in its own PostgreSQL schema (`monolith`,
 * in LEGACY_DATABASE_URL), served over HTTP on LEGACY_MONOLITH_PORT (default 3100). It shares no
 * code with the platform on purpose. Stops cleanly on SIGTERM or SIGINT.
 */
import { loadConfig } from './config';
import { jsonLog } from './log';
import { startMonolith } from './server';

/** Requests in flight get this long to finish before the process exits. */
const SHUTDOWN_DEADLINE_MS = 15_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const monolith = await startMonolith(config);
  jsonLog('info', 'legacy-monolith listening', { port: monolith.port });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    jsonLog('info', 'shutting down', { signal });
    setTimeout(() => {
      jsonLog('error', 'shutdown deadline passed, exiting', { deadlineMs: SHUTDOWN_DEADLINE_MS });
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    monolith.close().then(
      () => process.exit(0),
      (error: unknown) => {
        jsonLog('error', 'shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  jsonLog('error', `failed to start: ${message}`);
  process.exit(1);
});
