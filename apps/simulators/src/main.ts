/**
 * The simulated downstream world as a process: fraud provider, warehouse, payment gateway,
 * fulfilment, notifier and catalogue on one HTTP port (SIMULATORS_PORT, default 3400), with
 * their records in PostgreSQL (SIMULATORS_DATABASE_URL). It shares no code with the platform on
 * purpose: it stands in for third-party services. Stops cleanly on SIGTERM or SIGINT.
 */
import { loadConfig } from './config';
import { jsonLog } from './log';
import { startSimulators } from './server';

/** Requests in flight (a slow fraud dial) get this long to finish before the process exits. */
const SHUTDOWN_DEADLINE_MS = 15_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const simulators = await startSimulators(config);
  jsonLog('info', 'simulators listening', { port: simulators.port });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    jsonLog('info', 'shutting down', { signal });
    setTimeout(() => {
      jsonLog('error', 'shutdown deadline passed, exiting', { deadlineMs: SHUTDOWN_DEADLINE_MS });
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    simulators.close().then(
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
