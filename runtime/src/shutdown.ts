/**
 * Clean stops: on SIGTERM or SIGINT the steps run once, in order (stop taking work, drain,
 * then close connections), under an overall deadline after which the process exits anyway.
 */
import { createLogger, type Logger } from './logger';
import { startTracing, stopTracing } from './tracing';

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown> | unknown;
}

export function onShutdown(logger: Logger, steps: ShutdownStep[], deadlineMs = 30_000): void {
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      logger.error('shutdown deadline passed, exiting', { deadlineMs });
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    let failed = false;
    for (const step of steps) {
      try {
        await step.run();
      } catch (error) {
        failed = true;
        logger.error('shutdown step failed', { step: step.name, error });
      }
    }
    // The spans of the last requests and messages leave before the process does.
    await stopTracing().catch((error: unknown) =>
      logger.warn('spans not flushed at shutdown', { error }),
    );
    logger.info('stopped');
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/**
 * Runs an app's main, turning a start-up failure into one clear line and exit code 1. Tracing
 * starts first (runtime/src/tracing.ts: on when an OTLP endpoint is configured), so every client
 * the main makes is traced.
 */
export function runMain(service: string, main: () => Promise<void>): void {
  startTracing(service);
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    // Straight to stderr (the batched stdout would be lost to the exit), in the same format.
    createLogger(service, 'error', (line) => process.stderr.write(`${line}\n`)).error(
      `failed to start: ${message}`,
      { error },
    );
    process.exit(1);
  });
}
