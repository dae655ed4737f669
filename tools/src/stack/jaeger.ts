/**
 * Jaeger, the local stack's tracing backend: built from its Go module (tools/toolchain/jaeger.sh),
 * run with tools/jaeger/jaeger.yaml on the given ports. The platform's processes send it spans
 * by OTLP over HTTP (OTEL_EXPORTER_OTLP_ENDPOINT); its HTTP API answers what traces it holds.
 * Started by `npm start` and by the trace test, not by the integration stack's services: each
 * test that traces runs one of its own, so its traces are only its own.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { startDetached, stopProcess, waitUntil } from './service-process';
import { TOOLS_DIR } from './versions';

export interface JaegerPorts {
  /** OTLP over HTTP: what OTEL_EXPORTER_OTLP_ENDPOINT names. */
  otlpHttp: number;
  /** The UI and the HTTP query API (/api/services, /api/traces). */
  query: number;
  queryGrpc: number;
}

/** STACK_TRACING: `on` or blank (the default) runs Jaeger, `off` does not; throws on anything else. */
export function tracingChosen(raw: string | undefined): boolean {
  const value = raw?.trim().toLowerCase();
  if (!value || value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`STACK_TRACING must be on or off, got "${raw}"`);
}

export const DEFAULT_JAEGER_PORTS: JaegerPorts = { otlpHttp: 4318, query: 16686, queryGrpc: 16685 };

/**
 * Builds Jaeger on first use (a few minutes; later calls find it in the cache) and answers the
 * binary's path. Asynchronous, so a start can build it while the stack's services come up.
 */
export const installJaeger = (): Promise<string> =>
  new Promise((resolve, reject) => {
    const build = execFile(
      'bash',
      [join(TOOLS_DIR, 'toolchain', 'jaeger.sh')],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
      // Its stderr (the build's log) is already on ours: the error only says that it failed.
      (error, stdout) =>
        error
          ? reject(new Error(`tools/toolchain/jaeger.sh failed (exit ${String(error.code)})`))
          : resolve(stdout.trim()),
    );
    build.stderr?.pipe(process.stderr);
  });

export async function startJaeger(options: {
  binary: string;
  ports: JaegerPorts;
  logFile: string;
  pidFile: string;
}): Promise<void> {
  const { ports } = options;
  const pid = startDetached({
    name: 'jaeger',
    command: options.binary,
    args: ['--config', join(TOOLS_DIR, 'jaeger', 'jaeger.yaml')],
    env: {
      ...process.env,
      JAEGER_OTLP_HTTP_PORT: String(ports.otlpHttp),
      JAEGER_QUERY_PORT: String(ports.query),
      JAEGER_QUERY_GRPC_PORT: String(ports.queryGrpc),
    },
    logFile: options.logFile,
    pidFile: options.pidFile,
  });
  await waitUntil('Jaeger', async () => (await fetch(`${jaegerUrl(ports)}/api/services`)).ok, {
    timeoutMs: 60_000,
    logFile: options.logFile,
    pid,
  });
}

export const stopJaeger = (pidFile: string): Promise<void> => stopProcess(pidFile, 10_000);

export const jaegerUrl = (ports: JaegerPorts): string => `http://127.0.0.1:${ports.query}`;
export const otlpEndpoint = (ports: JaegerPorts): string => `http://127.0.0.1:${ports.otlpHttp}`;
