/**
 * The platform's command line, behind the npm scripts:
 *   start            stack + migrations + every app, then print the URLs   (npm start)
 *   stop             every app, then the stack                             (npm stop)
 *   status           what runs where
 *   stack-up         the stack alone; --ephemeral for free ports and fsync off (tests)
 *   stack-down       the stack alone; --destroy also deletes its state
 *   migrate | migrate-revert
 * Options: --state-dir DIR (default .stack), --write-env FILE (write the stack's variables as JSON),
 * --scale app=count,... (start: several instances of an app, scale.ts; stop and status find them all),
 * --temporal dev|server (start, stack-up: the CLI's dev server, the default, or the Temporal server
 * itself on the stack's PostgreSQL; STACK_TEMPORAL says the same, the option wins).
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate, revertLastMigration } from '@order-platform/migrations';
import {
  appPort,
  type AppState,
  appState,
  ensureApps,
  PLATFORM_APPS,
  type PlatformApp,
  platformState,
  type StartOutcome,
  stopApp,
} from '../stack/apps';
import {
  DEFAULT_PORTS,
  destroyStack,
  ensureStack,
  freePorts,
  parseTemporalKind,
  gatewayCodecEndpoint,
  readRunningStack,
  type RunningStack,
  runningServices,
  STACK_SERVICES,
  stackLogFile,
  stackPidFile,
  type StackPorts,
  stopStack,
  writePrivateFile,
} from '../stack/stack';
import { instanceName, instancesOnDisk, parseScale, scaledApps } from '../stack/scale';
import {
  DEFAULT_JAEGER_PORTS,
  installJaeger,
  jaegerUrl,
  type JaegerPorts,
  otlpEndpoint,
  startJaeger,
  stopJaeger,
  tracingChosen,
} from '../stack/jaeger';
import { isAlive, readPid } from '../stack/service-process';
import { REPO_ROOT } from '../stack/versions';
import { findFreePort } from '../stack/ports';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'state-dir': { type: 'string' },
    'write-env': { type: 'string' },
    ephemeral: { type: 'boolean', default: false },
    destroy: { type: 'boolean', default: false },
    scale: { type: 'string' },
    temporal: { type: 'string' },
  },
});
const stateDir = resolve(values['state-dir'] ?? join(REPO_ROOT, '.stack'));

/** A port from the environment, or the default. */
function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got "${raw}"`);
  }
  return value;
}

/** The fixed ports of `npm start`, each overridable (docs/configuration.md). */
function configuredPorts(): StackPorts {
  const port = portFromEnv;
  return {
    postgres: port('STACK_POSTGRES_PORT', DEFAULT_PORTS.postgres),
    kafka: port('STACK_KAFKA_PORT', DEFAULT_PORTS.kafka),
    kafkaController: port('STACK_KAFKA_CONTROLLER_PORT', DEFAULT_PORTS.kafkaController),
    temporal: port('STACK_TEMPORAL_PORT', DEFAULT_PORTS.temporal),
    temporalUi: port('STACK_TEMPORAL_UI_PORT', DEFAULT_PORTS.temporalUi),
  };
}

/** Jaeger's ports under `npm start`, each overridable (docs/configuration.md). */
const jaegerPorts = (): JaegerPorts => ({
  otlpHttp: portFromEnv('STACK_JAEGER_OTLP_PORT', DEFAULT_JAEGER_PORTS.otlpHttp),
  query: portFromEnv('STACK_JAEGER_UI_PORT', DEFAULT_JAEGER_PORTS.query),
  queryGrpc: portFromEnv('STACK_JAEGER_GRPC_PORT', DEFAULT_JAEGER_PORTS.queryGrpc),
});

/** Tracing runs with `npm start` unless STACK_TRACING=off (docs/configuration.md). */
const tracingWanted = (): boolean => tracingChosen(process.env.STACK_TRACING);

/**
 * Starts Jaeger unless it runs (with the binary being built, if the start began a build), and
 * returns its ports, or undefined if it did not start. Traces are a diagnostic: a Jaeger that
 * cannot build or start is reported, and the platform starts without them.
 */
async function ensureJaeger(
  building: Promise<string> | undefined,
): Promise<{ ports: JaegerPorts; outcome: StartOutcome } | undefined> {
  const ports = jaegerPorts();
  if (jaegerRunning()) return { ports, outcome: 'running' };
  const pidFile = stackPidFile(stateDir, 'jaeger');
  try {
    await startJaeger({
      binary: await (building ?? installJaeger()),
      ports,
      logFile: stackLogFile(stateDir, 'jaeger'),
      pidFile,
    });
  } catch (error) {
    await stopJaeger(pidFile);
    log(
      `Jaeger did not start (${error instanceof Error ? error.message : String(error)}): ` +
        'the platform runs without traces',
    );
    return undefined;
  }
  return { ports, outcome: 'started' };
}

function jaegerRunning(): boolean {
  const pid = readPid(stackPidFile(stateDir, 'jaeger'));
  return pid !== undefined && isAlive(pid);
}

/** Which Temporal was asked for: `--temporal`, else STACK_TEMPORAL, else none (see StackOptions). */
const temporalWanted = () =>
  parseTemporalKind(values.temporal, '--temporal') ??
  parseTemporalKind(process.env.STACK_TEMPORAL, 'STACK_TEMPORAL');
async function otherFreePort(taken: StackPorts): Promise<number> {
  for (;;) {
    const port = await findFreePort();
    if (!Object.values(taken).includes(port)) return port;
  }
}

/** Starts whatever of the stack is down (all of it in a new state folder) and migrates. */
async function stackUp(): Promise<{ stack: RunningStack; outcomes: Record<string, StartOutcome> }> {
  const startedAt = Date.now();
  const ports = values.ephemeral ? await freePorts() : configuredPorts();
  const { stack, started } = await ensureStack({
    stateDir,
    ports,
    externalDatabaseUrl: process.env.DATABASE_URL || undefined,
    durable: !values.ephemeral,
    temporal: temporalWanted(),
    // A throw-away stack's Web UI decodes through a gateway on a port of its own, which a suite
    // starts its gateway on (TEMPORAL_UI_CODEC_ENDPOINT in --write-env); npm start's, through
    // the gateway it runs.
    ...(values.ephemeral
      ? { codecEndpoint: gatewayCodecEndpoint(await otherFreePort(ports)) }
      : {}),
  });
  const applied = await migrate(stack.env.DATABASE_URL);
  log(
    started.length > 0
      ? `stack up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s, started: ${started.join(', ')} (${stateDir})`
      : `stack already running (${stateDir})`,
  );
  if (applied.length > 0) log(`migrations applied: ${applied.join(', ')}`);
  if (values['write-env']) {
    // It holds the stack's keys: private to its owner, like the key files.
    writePrivateFile(
      values['write-env'],
      JSON.stringify(
        {
          ...stack.env,
          TEMPORAL_TEST_SERVER: stack.toolchain.temporalTestServer,
          TEMPORAL_CLI: stack.toolchain.temporalCli,
          // Which Temporal the stack runs, for whoever reports on it (the bench).
          STACK_TEMPORAL: stack.temporal ?? 'dev',
          ...(stack.codecEndpoint ? { TEMPORAL_UI_CODEC_ENDPOINT: stack.codecEndpoint } : {}),
        },
        null,
        2,
      ),
    );
  }
  const outcomes: Record<string, StartOutcome> = {};
  for (const service of STACK_SERVICES) {
    outcomes[service] = started.includes(service) ? 'started' : 'running';
  }
  return { stack, outcomes };
}

function requireRunningStack(): RunningStack {
  const stack = readRunningStack(stateDir);
  if (!stack) throw new Error(`no stack in ${stateDir}: run \`npm start\` first`);
  return stack;
}

/** Starts whatever is down, service by service and app by app; leaves the rest running. */
async function start(): Promise<void> {
  // A mistake in the options is told before anything starts.
  const scale = parseScale(values.scale);
  const tracing = tracingWanted();
  // Jaeger builds (first start only) while the services come up.
  const jaegerBinary = tracing && !jaegerRunning() ? installJaeger() : undefined;
  jaegerBinary?.catch(() => undefined); // told by ensureJaeger, after the services
  const { stack, outcomes } = await stackUp();
  const jaeger = tracing ? await ensureJaeger(jaegerBinary) : undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, ...stack.env };
  if (jaeger) {
    outcomes.jaeger = jaeger.outcome;
    // Every app exports its spans there (runtime/src/tracing.ts); set it to send them elsewhere.
    env.OTEL_EXPORTER_OTLP_ENDPOINT ??= otlpEndpoint(jaeger.ports);
  }
  // The simulated fulfilment service tells the gateway about dispatches and deliveries.
  env.FULFILLMENT_WEBHOOK_URL ??= `http://127.0.0.1:${appPort(
    PLATFORM_APPS.find((a) => a.name === 'gateway')!,
    env,
  )}/v1/webhooks/fulfillment`;
  // The worker and the facade reach the monolith, the facade the gateway, on their ports.
  const portOf = (name: string) =>
    appPort(
      PLATFORM_APPS.find((a) => a.name === name)!,
      env,
    );
  env.MONOLITH_URL ??= `http://127.0.0.1:${portOf('legacy-monolith')}`;
  env.GATEWAY_URL ??= `http://127.0.0.1:${portOf('gateway')}`;
  // The monolith's hand-over settings follow the routes (docs/strangler.md#handing-a-stage-over).
  env.HANDOVER_SYNC ??= 'on';
  const appFiles = (app: PlatformApp) => ({
    logFile: stackLogFile(stateDir, app.name),
    pidFile: stackPidFile(stateDir, app.name),
  });
  const instances = scaledApps(PLATFORM_APPS, scale, env);
  Object.assign(outcomes, await ensureApps(instances, env, appFiles));
  printUrls(stack, instances, outcomes);
}

/** The instance numbers of `app` with a pid file, `--scale`d ones too; at least the first. */
function instancesOf(app: PlatformApp): number[] {
  let files: string[] = [];
  try {
    files = readdirSync(join(stateDir, 'pids'));
  } catch {
    // No pids folder: nothing was started here.
  }
  const found = instancesOnDisk(app.name, files);
  return found.length > 0 ? found : [1];
}

async function stop(): Promise<void> {
  for (const app of [...PLATFORM_APPS].reverse()) {
    await Promise.all(
      instancesOf(app).map((k) => stopApp(stackPidFile(stateDir, instanceName(app.name, k)))),
    );
  }
  await stopJaeger(stackPidFile(stateDir, 'jaeger'));
  await stopStack(stateDir);
  log('platform stopped (state kept in ' + stateDir + ')');
}

const OUTCOME_TEXT: Record<StartOutcome, string> = {
  started: 'started',
  restarted: 'restarted (was not answering)',
  running: 'already running',
};

/** The URLs, each with what this start did with the process behind it (when given). */
function printUrls(
  stack: RunningStack,
  instances: readonly PlatformApp[],
  outcomes: Record<string, StartOutcome> = {},
  heading = 'The order platform is running:',
): void {
  const url = (app: PlatformApp) => `http://127.0.0.1:${appPort(app, process.env)}`;
  const gateways = instances.filter((a) => a.name === 'gateway' || a.name.startsWith('gateway-'));
  const gateway = url(gateways[0] ?? PLATFORM_APPS.find((a) => a.name === 'gateway')!);
  // [what, where, the process behind it]
  const rows: [string, string, string?][] = [
    ...gateways.map((a): [string, string, string] => [
      a.name === 'gateway' ? 'Gateway' : `Gateway (${a.name})`,
      url(a),
      a.name,
    ]),
    ['API docs (OpenAPI UI)', `${gateway}/docs`],
    ['Temporal Web UI', stack.env.TEMPORAL_UI_URL, 'temporal'],
    [
      stack.temporal === 'server' ? 'Temporal gRPC (server)' : 'Temporal gRPC (dev server)',
      stack.env.TEMPORAL_ADDRESS,
    ],
    ...(tracingWanted() && jaegerRunning()
      ? [['Traces (Jaeger)', jaegerUrl(jaegerPorts()), 'jaeger'] as [string, string, string]]
      : []),
    ['Kafka bootstrap', stack.env.KAFKA_BROKERS, 'kafka'],
    ['PostgreSQL (platform)', stack.env.DATABASE_URL, 'postgres'],
    ['PostgreSQL (monolith)', stack.env.LEGACY_DATABASE_URL],
    ...instances
      .filter((a) => !gateways.includes(a))
      .map((a): [string, string, string] => [a.name, `${url(a)}/health/ready`, a.name]),
    ['Logs', join(stateDir, 'logs')],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const note = (owner?: string): string => {
    const outcome = owner ? outcomes[owner] : undefined;
    return outcome ? OUTCOME_TEXT[outcome] : '';
  };
  const noteWidth = Math.max(...rows.map(([, , owner]) => note(owner).length));
  console.log(`\n${heading}\n`);
  for (const [name, url, owner] of rows) {
    console.log(`  ${name.padEnd(width)}  ${note(owner).padEnd(noteWidth)}  ${url}`);
  }
  console.log('\nStop it with `npm stop`.\n');
}

const APP_STATE_TEXT: Record<AppState, string> = {
  down: 'stopped',
  unresponsive: 'not answering',
  answering: 'running',
};

/** Which of the stack's services run, which apps answer, and where. */
async function status(): Promise<void> {
  const stack = readRunningStack(stateDir);
  if (!stack) return log(`no stack in ${stateDir}`);
  const running = runningServices(stack);
  let servicesStopped = 0;
  for (const service of STACK_SERVICES) {
    const state =
      service === 'postgres' && !stack.postgresDataDir
        ? 'external'
        : running.includes(service)
          ? 'running'
          : 'stopped';
    if (state === 'stopped') servicesStopped += 1;
    console.log(`${service.padEnd(16)} ${state}`);
  }
  console.log(`${'jaeger'.padEnd(16)} ${jaegerRunning() ? 'running' : 'stopped'}`);
  const env = { ...process.env, ...stack.env };
  // The instances found on disk, on the ports `--scale` gave them.
  const found = PLATFORM_APPS.flatMap((app) =>
    instancesOf(app).map((k) => instanceName(app.name, k)),
  );
  const scale = Object.fromEntries(
    PLATFORM_APPS.map((app) => [app.name, Math.max(...instancesOf(app))] as const),
  );
  const instances = scaledApps(PLATFORM_APPS, scale, env).filter((instance) =>
    found.includes(instance.name),
  );
  const appStates: AppState[] = [];
  for (const app of instances) {
    const pidFile = stackPidFile(stateDir, app.name);
    const state = await appState(app, env, pidFile);
    appStates.push(state);
    console.log(
      `${app.name.padEnd(16)} ${APP_STATE_TEXT[state]}${state === 'down' ? '' : ` (pid ${readPid(pidFile)})`}`,
    );
  }
  const state = platformState({ running: running.length, stopped: servicesStopped }, appStates);
  if (state === 'stopped') {
    console.log(
      `\nThe order platform is stopped (its state is kept in ${stateDir}); \`npm start\` starts it again.\n`,
    );
    return;
  }
  printUrls(
    stack,
    instances,
    {},
    state === 'running'
      ? 'The order platform is running:'
      : 'The order platform is partly running (what is not running is listed above):',
  );
}

const log = (message: string): void => console.error(`[platform] ${message}`);

const commands: Record<string, () => Promise<unknown> | void> = {
  start,
  stop,
  status,
  'stack-up': stackUp,
  'stack-down': () => (values.destroy ? destroyStack(stateDir) : stopStack(stateDir)),
  migrate: async () =>
    log(
      `applied: ${(await migrate(requireRunningStack().env.DATABASE_URL)).join(', ') || 'nothing pending'}`,
    ),
  'migrate-revert': () => revertLastMigration(requireRunningStack().env.DATABASE_URL),
};

const command = commands[positionals[0] ?? ''];
if (!command) {
  console.error(
    `usage: platform <${Object.keys(commands).join('|')}> [--state-dir DIR] [--write-env FILE] [--ephemeral] [--destroy] [--scale app=count,...] [--temporal dev|server]`,
  );
  process.exit(2);
}
Promise.resolve(command()).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[platform] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
