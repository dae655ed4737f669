/**
 * The Temporal CLI's dev server: a real Temporal server with the Web UI embedded, persisting to
 * a SQLite file so workflows survive a restart, with the order search attributes registered.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ORDER_SEARCH_ATTRIBUTES } from '@order-platform/domain';
import { startDetached, stopProcess, waitUntil } from './service-process';

export interface TemporalOptions {
  cli: string;
  stateDir: string;
  logFile: string;
  pidFile: string;
  port: number;
  uiPort: number;
  namespace: string;
}

export async function startTemporal(opts: TemporalOptions): Promise<void> {
  mkdirSync(opts.stateDir, { recursive: true });
  const searchAttributes = Object.entries(ORDER_SEARCH_ATTRIBUTES).flatMap(([name, kind]) => [
    '--search-attribute',
    `${name}=${kind}`,
  ]);
  const pid = startDetached({
    name: 'temporal',
    command: opts.cli,
    args: [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(opts.port),
      '--ui-port',
      String(opts.uiPort),
      '--db-filename',
      join(opts.stateDir, 'temporal.sqlite'),
      '--namespace',
      opts.namespace,
      '--log-level',
      'warn',
      ...searchAttributes,
    ],
    logFile: opts.logFile,
    pidFile: opts.pidFile,
  });
  await waitUntil('Temporal dev server', () => temporalHealthy(opts.cli, opts.port), {
    timeoutMs: 60_000,
    logFile: opts.logFile,
    pid,
  });
}

async function temporalHealthy(cli: string, port: number): Promise<boolean> {
  const { stdout } = await promisify(execFile)(cli, [
    'operator',
    'cluster',
    'health',
    '--address',
    `127.0.0.1:${port}`,
  ]);
  return stdout.includes('SERVING');
}

export const stopTemporal = (pidFile: string): Promise<void> => stopProcess(pidFile, 20_000);
