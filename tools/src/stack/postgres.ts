/**
 * A private PostgreSQL cluster in the stack's state folder, on its own port, with the platform's
 * database and the sample monolith's database (logical replication on, for the legacy adapter's
 * CDC). PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user
 * that Debian's package creates.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { waitUntil } from './service-process';

export interface PostgresOptions {
  binDir: string;
  dataDir: string;
  logFile: string;
  port: number;
  /** false for throw-away test clusters: fsync off makes them much faster. */
  durable: boolean;
}

const SUPERUSER = 'postgres';
const SUPERUSER_PASSWORD = 'postgres';

/** Databases the stack provides: the platform's own, and the sample monolith's separate one. */
export const STACK_DATABASES = [
  { name: 'order_platform', owner: 'order_platform', password: 'order_platform' },
  { name: 'legacy_monolith', owner: 'legacy_monolith', password: 'legacy_monolith' },
  // The simulated downstream world (payment ledger, warehouse, fraud, notifier) keeps its own
  // records, as the real services would: tests read them to prove "charged once".
  { name: 'simulators', owner: 'simulators', password: 'simulators' },
] as const;

export const databaseUrl = (port: number, db: (typeof STACK_DATABASES)[number]): string =>
  `postgres://${db.owner}:${db.password}@127.0.0.1:${port}/${db.name}`;

const runningAsRoot = (): boolean => process.getuid?.() === 0;

function runPg(opts: PostgresOptions, tool: string, args: string[]): void {
  const bin = join(opts.binDir, tool);
  const [command, fullArgs] = runningAsRoot()
    ? ['runuser', ['-u', 'postgres', '--', bin, ...args]]
    : [bin, args];
  execFileSync(command, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function initCluster(opts: PostgresOptions): void {
  mkdirSync(opts.dataDir, { recursive: true });
  const pwFile = join(opts.dataDir, '..', 'postgres.pw');
  writeFileSync(pwFile, SUPERUSER_PASSWORD);
  if (runningAsRoot()) {
    execFileSync('chown', ['-R', 'postgres:postgres', opts.dataDir, pwFile]);
    // The state folder may be private to root (mkdtemp makes it 0700): let postgres through.
    chmodSync(dirname(opts.dataDir), 0o711);
  }
  try {
    runPg(opts, 'initdb', [
      '-D',
      opts.dataDir,
      '-U',
      SUPERUSER,
      `--pwfile=${pwFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
    ]);
  } catch (error) {
    throw new Error(
      `initdb failed for ${opts.dataDir}` +
        (runningAsRoot()
          ? ' (as root the cluster runs as user postgres, which needs to reach that folder)'
          : '') +
        `: ${describeExecError(error)}`,
    );
  } finally {
    rmSync(pwFile, { force: true });
  }
  appendFileSync(
    join(opts.dataDir, 'postgresql.conf'),
    [
      '',
      '# order-platform local stack',
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'wal_level = logical',
      'max_wal_senders = 10',
      'max_replication_slots = 10',
      'max_connections = 200',
      'shared_buffers = 128MB',
      ...(opts.durable
        ? []
        : ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off']),
      '',
    ].join('\n'),
  );
}

export async function startPostgres(opts: PostgresOptions): Promise<void> {
  if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) initCluster(opts);
  mkdirSync(join(opts.logFile, '..'), { recursive: true });
  if (runningAsRoot()) execFileSync('chown', ['postgres:postgres', join(opts.logFile, '..')]);
  try {
    runPg(opts, 'pg_ctl', [
      'start',
      '-D',
      opts.dataDir,
      '-l',
      opts.logFile,
      '-o',
      `-p ${opts.port}`,
      '-w',
      '-t',
      '60',
    ]);
  } catch (error) {
    throw new Error(`PostgreSQL did not start; see ${opts.logFile}: ${describeExecError(error)}`);
  }
  await waitUntil('PostgreSQL', () => canConnect(opts.port), {
    timeoutMs: 30_000,
    logFile: opts.logFile,
  });
  await ensureDatabases(opts.port);
}

export interface StopPostgresOptions {
  /** fast: end sessions and checkpoint (a restart); immediate: abort, recover on start (a crash). */
  mode?: 'fast' | 'immediate';
  /** How long pg_ctl waits for the server to go. */
  timeoutSeconds?: number;
}

/** Stops the cluster; throws if it is still running afterwards. */
export async function stopPostgres(
  opts: Pick<PostgresOptions, 'binDir' | 'dataDir'>,
  { mode = 'fast', timeoutSeconds = 60 }: StopPostgresOptions = {},
): Promise<void> {
  if (!existsSync(join(opts.dataDir, 'postmaster.pid'))) return;
  const pgOpts = opts as PostgresOptions;
  try {
    runPg(pgOpts, 'pg_ctl', [
      'stop',
      '-D',
      opts.dataDir,
      '-m',
      mode,
      '-w',
      '-t',
      String(timeoutSeconds),
    ]);
  } catch (error) {
    // A stale pid file (not running) is nothing to stop; a server that did not go is a failure.
    if (isPostgresRunning(pgOpts)) {
      throw new Error(
        `PostgreSQL (${opts.dataDir}) did not stop (${mode}): ${describeExecError(error)}`,
      );
    }
  }
}

export function isPostgresRunning(opts: Pick<PostgresOptions, 'binDir' | 'dataDir'>): boolean {
  try {
    runPg(opts as PostgresOptions, 'pg_ctl', ['status', '-D', opts.dataDir]);
    return true;
  } catch {
    return false;
  }
}

async function canConnect(port: number): Promise<boolean> {
  const client = superuserClient(port, 'postgres');
  try {
    await client.connect();
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function superuserClient(port: number, database: string): Client {
  return new Client({
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    password: SUPERUSER_PASSWORD,
    database,
  });
}

/** A database of the stack and the role that owns it. */
export interface StackDatabase {
  name: string;
  owner: string;
  password: string;
  /** REPLICATION for roles that stream changes by logical decoding (the legacy adapter's). */
  replication?: boolean;
}

/** Creates the stack's roles and databases if missing (idempotent, so restarts are safe). */
const ensureDatabases = (port: number): Promise<void> =>
  ensureStackDatabases(
    port,
    // REPLICATION: the legacy adapter streams the monolith's changes (logical decoding).
    STACK_DATABASES.map((db) => ({ ...db, replication: true })),
  );

/** Creates each role and database of `databases` that is missing, as the cluster's superuser. */
export async function ensureStackDatabases(
  port: number,
  databases: readonly StackDatabase[],
): Promise<void> {
  const client = superuserClient(port, 'postgres');
  await client.connect();
  try {
    for (const db of databases) {
      const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [db.owner]);
      if (role.rowCount === 0) {
        await client.query(
          `CREATE ROLE ${db.owner} LOGIN${db.replication ? ' REPLICATION' : ''} PASSWORD '${db.password}'`,
        );
      }
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${db.name} OWNER ${db.owner}`);
    }
  } finally {
    await client.end();
  }
}

function describeExecError(error: unknown): string {
  const e = error as { stderr?: Buffer; message?: string };
  return (e.stderr?.toString().trim() || e.message || String(error)).slice(0, 2000);
}
