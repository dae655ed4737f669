/**
 * The Temporal server itself, the option to the CLI's dev server (`npm start -- --temporal
 * server`, STACK_TEMPORAL=server): go.temporal.io/server and its Web UI server, built from their
 * Go modules at the releases the CLI embeds (tools/toolchain/temporal-server.sh), on the stack's
 * PostgreSQL (plugin postgres12, databases `temporal` and `temporal_visibility`, their schemas
 * created and updated by temporal-sql-tool on every start). Same gRPC and UI ports, namespace,
 * order search attributes, dynamic config and UI codec endpoint as the dev server (temporal.ts),
 * so apps, tests and the bench cannot tell them apart but by speed. docs/operations.md lists the
 * differences (history shards, persistence, visibility).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ORDER_SEARCH_ATTRIBUTES } from '@order-platform/domain';
import { findFreePortIn } from './ports';
import { ensureStackDatabases, type StackDatabase } from './postgres';
import { startDetached, stopProcess, waitUntil } from './service-process';
import { runToolchainScript } from './toolchain';

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  uiServer: string;
}

/** Builds the server, its schema tool and the UI server on first use (minutes); their paths. */
export function installTemporalServer(): TemporalServerBinaries {
  const pick = runToolchainScript('temporal-server.sh');
  return {
    server: pick('TEMPORAL_SERVER'),
    sqlTool: pick('TEMPORAL_SQL_TOOL'),
    uiServer: pick('TEMPORAL_UI_SERVER'),
  };
}

/**
 * History shards: fixed when the `temporal` database is first set up (changing it later needs a
 * new database). 4 lets two cores work on several workflows' histories at once without the
 * per-shard overhead of the production default (512); the dev server has 1.
 */
export const HISTORY_SHARDS = 4;

/** The server's databases on the stack's PostgreSQL, owned by one role. */
export const TEMPORAL_DATABASES: readonly StackDatabase[] = [
  { name: 'temporal', owner: 'temporal', password: 'temporal' },
  { name: 'temporal_visibility', owner: 'temporal', password: 'temporal' },
];

/** The dev server's namespace retention (the CLI's default), so both keep histories as long. */
const NAMESPACE_RETENTION = '24h';

export interface TemporalServerOptions {
  binaries: TemporalServerBinaries;
  /** The Temporal CLI: health checks, the namespace and the search attributes. */
  cli: string;
  stateDir: string;
  logFile: string;
  pidFile: string;
  uiLogFile: string;
  uiPidFile: string;
  port: number;
  uiPort: number;
  postgresPort: number;
  namespace: string;
  codecEndpoint?: string;
}

/**
 * The server's own ports besides the frontend's (history, matching and worker gRPC, each
 * service's membership, the frontend's HTTP API): free ones chosen on the first start and kept
 * in the state folder, so a restart finds its cluster membership where it left it. All below
 * 32768: the schema stores a member's port as a SMALLINT (`cluster_membership.rpc_port`), and
 * a heartbeat from a port above it fails the server's start.
 */
export interface InternalPorts {
  frontendHttp: number;
  frontendMembership: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
}

async function internalPorts(stateDir: string, taken: number[]): Promise<InternalPorts> {
  const file = join(stateDir, 'internal-ports.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as InternalPorts;
  const names: (keyof InternalPorts)[] = [
    'frontendHttp',
    'frontendMembership',
    'historyGrpc',
    'historyMembership',
    'matchingGrpc',
    'matchingMembership',
    'workerGrpc',
    'workerMembership',
  ];
  const chosen: number[] = [];
  while (chosen.length < names.length) {
    const port = await findFreePortIn(20000, 32767);
    if (!chosen.includes(port) && !taken.includes(port)) chosen.push(port);
  }
  const ports = Object.fromEntries(names.map((name, i) => [name, chosen[i]])) as never;
  writeFileSync(file, JSON.stringify(ports, null, 2));
  return ports;
}

/**
 * The server's configuration, written as `development.yaml` in the state folder's `config`
 * (JSON, which YAML reads as it is). The
 * dynamic config carries the values the CLI gives its dev server, so the two behave alike:
 * search attributes visible at once, higher persistence and visibility rate limits, a larger
 * mutable-state cache.
 */
export function serverConfig(
  opts: TemporalServerOptions,
  ports: InternalPorts,
  dynamicConfig: string,
) {
  const datastore = (database: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName: database,
      connectAddr: `127.0.0.1:${opts.postgresPort}`,
      connectProtocol: 'tcp',
      user: TEMPORAL_DATABASES[0]!.owner,
      password: TEMPORAL_DATABASES[0]!.password,
      // Per service (four in this one process): well under the stack's max_connections.
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...(httpPort ? { httpPort } : {}) },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: HISTORY_SHARDS,
      datastores: {
        'postgres-default': datastore('temporal', 12),
        'postgres-visibility': datastore('temporal_visibility', 4),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service(opts.port, ports.frontendMembership, ports.frontendHttp),
      history: service(ports.historyGrpc, ports.historyMembership),
      matching: service(ports.matchingGrpc, ports.matchingMembership),
      worker: service(ports.workerGrpc, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${opts.port}`,
          httpAddress: `127.0.0.1:${ports.frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: {
      archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    },
    publicClient: { hostPort: `127.0.0.1:${opts.port}` },
    dynamicConfigClient: { filepath: dynamicConfig, pollInterval: '10s' },
  };
}

/** The dynamic config the Temporal CLI 1.5.1 gives its dev server (in its `temporalcli` package). */
export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, unknown> = {
  'system.forceSearchAttributesCacheRefreshOnRead': true,
  'frontend.persistenceMaxQPS': 10000,
  'history.persistenceMaxQPS': 45000,
  'history.hostLevelCacheMaxSize': 8096,
  'frontend.namespaceRPS.visibility': 100,
};

const dynamicConfigFile = (values: Record<string, unknown>): string =>
  JSON.stringify(
    Object.fromEntries(Object.entries(values).map(([key, value]) => [key, [{ value }]])),
    null,
    2,
  );

/** The Web UI server's configuration, as the dev server's embedded UI is set up. */
const uiConfig = (opts: TemporalServerOptions) => ({
  temporalGrpcAddress: `127.0.0.1:${opts.port}`,
  host: '127.0.0.1',
  port: opts.uiPort,
  enableUi: true,
  defaultNamespace: opts.namespace,
  refreshInterval: '1m',
  notifyOnNewVersion: false,
  cors: { cookieInsecure: true, unsafeAllowAllOrigins: false, allowOrigins: [] },
  codec: { endpoint: opts.codecEndpoint ?? '' },
});

const run = promisify(execFile);

/** Creates, or brings up to the server's version, one database's schema (idempotent). */
async function updateSchema(opts: TemporalServerOptions, database: string, schemaName: string) {
  const connection = [
    '--plugin',
    'postgres12',
    '--ep',
    '127.0.0.1',
    '--port',
    String(opts.postgresPort),
    '--user',
    TEMPORAL_DATABASES[0]!.owner,
    '--password',
    TEMPORAL_DATABASES[0]!.password,
    '--db',
    database,
  ];
  try {
    // Version tables at 0.0 (left alone when already newer), then every versioned step after.
    await run(opts.binaries.sqlTool, [...connection, 'setup-schema', '-v', '0.0']);
    await run(opts.binaries.sqlTool, [...connection, 'update-schema', '--schema-name', schemaName]);
  } catch (error) {
    const e = error as { stderr?: string; message?: string };
    throw new Error(
      `temporal-sql-tool could not set up ${database}: ${(e.stderr || e.message || String(error)).slice(0, 2000)}`,
    );
  }
}

export async function startTemporalServer(opts: TemporalServerOptions): Promise<void> {
  const configDir = join(opts.stateDir, 'config');
  mkdirSync(configDir, { recursive: true });
  await ensureStackDatabases(opts.postgresPort, TEMPORAL_DATABASES);
  await updateSchema(opts, 'temporal', 'postgresql/v12/temporal');
  await updateSchema(opts, 'temporal_visibility', 'postgresql/v12/visibility');

  const ports = await internalPorts(opts.stateDir, [opts.port, opts.uiPort, opts.postgresPort]);
  const dynamicConfig = join(configDir, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfig, dynamicConfigFile(DEV_SERVER_DYNAMIC_CONFIG));
  writeFileSync(
    join(configDir, 'development.yaml'),
    JSON.stringify(serverConfig(opts, ports, dynamicConfig), null, 2),
  );
  const pid = startDetached({
    name: 'temporal',
    command: opts.binaries.server,
    // No authorizer, as the dev server: the stack listens on loopback only.
    args: [
      '--root',
      opts.stateDir,
      '--config',
      'config',
      '--env',
      'development',
      '--allow-no-auth',
      'start',
    ],
    logFile: opts.logFile,
    pidFile: opts.pidFile,
  });
  const address = `127.0.0.1:${opts.port}`;
  const cli = (args: string[]) => run(opts.cli, [...args, '--address', address]);
  await waitUntil(
    'Temporal server',
    async () => (await cli(['operator', 'cluster', 'health'])).stdout.includes('SERVING'),
    // Four services joining their ring on 2 busy cores take a while on the first start.
    { timeoutMs: 180_000, logFile: opts.logFile, pid },
  );
  await ensureNamespace(opts, cli);
  await ensureSearchAttributes(opts, cli);

  const uiConfigDir = join(opts.stateDir, 'ui', 'config');
  mkdirSync(uiConfigDir, { recursive: true });
  writeFileSync(join(uiConfigDir, 'development.yaml'), JSON.stringify(uiConfig(opts), null, 2));
  const uiPid = startDetached({
    name: 'temporal-ui',
    command: opts.binaries.uiServer,
    args: [
      '--root',
      join(opts.stateDir, 'ui'),
      '--config',
      'config',
      '--env',
      'development',
      'start',
    ],
    logFile: opts.uiLogFile,
    pidFile: opts.uiPidFile,
  });
  await waitUntil(
    'Temporal Web UI',
    async () => (await fetch(`http://127.0.0.1:${opts.uiPort}/`)).ok,
    { timeoutMs: 30_000, logFile: opts.uiLogFile, pid: uiPid },
  );
}

type Cli = (args: string[]) => Promise<{ stdout: string }>;

/** Registers the namespace on the first start; waits until the frontend serves it. */
async function ensureNamespace(opts: TemporalServerOptions, cli: Cli): Promise<void> {
  const ns = ['--namespace', opts.namespace];
  const described = await cli(['operator', 'namespace', 'describe', ...ns]).then(
    () => true,
    () => false,
  );
  if (!described) {
    await cli(['operator', 'namespace', 'create', ...ns, '--retention', NAMESPACE_RETENTION]);
  }
  // The frontend learns of a new namespace at its next registry refresh (2 s by default).
  await waitUntil(
    `namespace ${opts.namespace}`,
    async () => (await cli(['workflow', 'count', ...ns]), true),
    { timeoutMs: 30_000, logFile: opts.logFile },
  );
}

/** Registers each order search attribute the namespace lacks (the dev server's flags' set). */
async function ensureSearchAttributes(opts: TemporalServerOptions, cli: Cli): Promise<void> {
  const ns = ['--namespace', opts.namespace];
  const { stdout } = await cli(['operator', 'search-attribute', 'list', ...ns, '-o', 'json']);
  const existing = JSON.stringify(JSON.parse(stdout || '{}'));
  const missing = Object.entries(ORDER_SEARCH_ATTRIBUTES).filter(
    ([name]) => !existing.includes(`"${name}"`),
  );
  if (missing.length === 0) return;
  await cli([
    'operator',
    'search-attribute',
    'create',
    ...ns,
    ...missing.flatMap(([name, kind]) => ['--name', name, '--type', kind]),
  ]);
}

/** Stops the Web UI, then the server. */
export async function stopTemporalServer(pidFile: string, uiPidFile: string): Promise<void> {
  await stopProcess(uiPidFile, 10_000);
  await stopProcess(pidFile, 20_000);
}
