/**
 * The Temporal CLI's dev server: a real Temporal server with the Web UI embedded, persisting to
 * a SQLite file so workflows survive a restart, with the order search attributes registered.
 * The file is in WAL mode with synchronous=NORMAL (the same for `npm start`, the tests and the
 * bench): about twice the rate of the default rollback journal on this machine's kind. A killed
 * server loses nothing committed; a power loss or OS crash can roll back the last commits not
 * yet synced to disk (the database itself stays consistent). docs/operations.md says more.
 * The Web UI decodes the encrypted payloads through the gateway's codec endpoint
 * (`--ui-codec-endpoint`; apps/gateway/src/ops/codec.controller.ts).
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
  /** The payload codec endpoint the Web UI sends payloads to, e.g. the gateway's. */
  codecEndpoint?: string;
}

/** See the header: WAL with syncs at checkpoints rather than at every commit. */
export const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'] as const;

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
      ...SQLITE_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma]),
      ...(opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : []),
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
