/**
 * The local stack as one unit: PostgreSQL, Kafka and Temporal (the CLI's dev server, or with
 * `temporal: 'server'` the Temporal server itself on the stack's PostgreSQL: temporal-server.ts),
 * started in parallel into one state folder and described by the environment variables every
 * app reads.
 * `npm start` runs it on fixed ports in `.stack/` (kept across restarts); the integration tests
 * run a throw-away one on free ports in a temporary folder.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_TOPIC_SPECS, TOPIC_PARTITIONS } from '@order-platform/domain';
import { generateCodecKey } from '@order-platform/runtime';
import { appPort, PLATFORM_APPS } from './apps';
import { findFreePort } from './ports';
import {
  databaseUrl,
  isPostgresRunning,
  startPostgres,
  stopPostgres,
  type StopPostgresOptions,
  STACK_DATABASES,
} from './postgres';
import { startKafka, stopKafka } from './kafka';
import { isAlive, readPid } from './service-process';
import { startTemporal } from './temporal';
import { installTemporalServer, startTemporalServer, stopTemporalServer } from './temporal-server';
import { installToolchain, type Toolchain } from './toolchain';

export interface StackPorts {
  postgres: number;
  kafka: number;
  kafkaController: number;
  temporal: number;
  temporalUi: number;
}

/**
 * Which Temporal the stack runs: `dev`, the CLI's dev server (SQLite; the default), or `server`,
 * the Temporal server built from its Go module on the stack's PostgreSQL, with its Web UI server.
 */
export const TEMPORAL_KINDS = ['dev', 'server'] as const;
export type TemporalKind = (typeof TEMPORAL_KINDS)[number];

/** `--temporal` / STACK_TEMPORAL as given (blank: not chosen); throws on anything else. */
export function parseTemporalKind(raw: string | undefined, from: string): TemporalKind | undefined {
  const value = raw?.trim().toLowerCase();
  if (!value) return undefined;
  if ((TEMPORAL_KINDS as readonly string[]).includes(value)) return value as TemporalKind;
  throw new Error(`${from} must be one of ${TEMPORAL_KINDS.join(', ')}, got "${raw}"`);
}

export interface StackOptions {
  stateDir: string;
  ports: StackPorts;
  /**
   * Which Temporal to run. Unset: the one a recorded stack in `stateDir` ran, else the dev
   * server. Set to another than a recorded stack's running one: refused (stop it first).
   */
  temporal?: TemporalKind;
  /** Use this PostgreSQL instead of starting a private cluster. */
  externalDatabaseUrl?: string;
  /** fsync on (the platform) or off (throw-away test stacks). */
  durable: boolean;
  /**
   * The payload codec endpoint the Web UI decodes through (`--ui-codec-endpoint`): the gateway's
   * `/v1/ops/codec`. Default: the gateway `npm start` runs (GATEWAY_PORT, else 3000).
   */
  codecEndpoint?: string;
}

/** What a running stack is, written to `<stateDir>/stack.json` so other commands can find it. */
export interface RunningStack {
  stateDir: string;
  ports: StackPorts;
  postgresDataDir?: string;
  postgresBin: string;
  toolchain: Toolchain;
  /** fsync on or off, as started (absent in state folders written before it was recorded). */
  durable?: boolean;
  /** Which Temporal it runs (absent in state folders written before the option: the dev server). */
  temporal?: TemporalKind;
  /** The Web UI's codec endpoint, as started (absent in older state folders: the default). */
  codecEndpoint?: string;
  env: StackEnv;
}

/** The configuration names every app reads; docker-compose.yml uses the same ones. */
export interface StackEnv {
  DATABASE_URL: string;
  LEGACY_DATABASE_URL: string;
  SIMULATORS_DATABASE_URL: string;
  KAFKA_BROKERS: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_UI_URL: string;
  /** The gateway's token signing key: generated once per stack, kept in its state folder. */
  GATEWAY_JWT_SECRET: string;
  /**
   * The fulfilment webhook's key, one value under the name each side reads (the simulated
   * fulfilment service signs, the gateway verifies): generated once per stack like the JWT key.
   */
  FULFILLMENT_WEBHOOK_SECRET: string;
  GATEWAY_FULFILLMENT_WEBHOOK_SECRET: string;
  /** The payload codec's keys (`id:base64key`): generated once per stack like the JWT key. */
  PAYLOAD_CODEC_KEYS: string;
}

const GATEWAY_APP = PLATFORM_APPS.find((app) => app.name === 'gateway')!;

/** The codec endpoint of a gateway on `port` of this host (apps/gateway/src/ops/codec.controller.ts). */
export const gatewayCodecEndpoint = (port: number): string =>
  `http://127.0.0.1:${port}/v1/ops/codec`;

export const DEFAULT_PORTS: StackPorts = {
  postgres: 55432,
  kafka: 19092,
  kafkaController: 19093,
  temporal: 7233,
  temporalUi: 8233,
};

export async function freePorts(): Promise<StackPorts> {
  const ports: number[] = [];
  while (ports.length < 5) {
    const port = await findFreePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const [postgres, kafka, kafkaController, temporal, temporalUi] = ports as [
    number,
    number,
    number,
    number,
    number,
  ];
  return { postgres, kafka, kafkaController, temporal, temporalUi };
}

const stackFile = (stateDir: string): string => join(stateDir, 'stack.json');
const logFile = (stateDir: string, name: string): string => join(stateDir, 'logs', `${name}.log`);
const pidFile = (stateDir: string, name: string): string => join(stateDir, 'pids', `${name}.pid`);

export function stackEnv(
  ports: StackPorts,
  secrets: { jwt: string; fulfillmentWebhook: string; payloadCodecKeys: string },
  externalDatabaseUrl?: string,
): StackEnv {
  const [platformDb, legacyDb, simulatorsDb] = STACK_DATABASES;
  return {
    DATABASE_URL: externalDatabaseUrl ?? databaseUrl(ports.postgres, platformDb),
    LEGACY_DATABASE_URL: externalDatabaseUrl ?? databaseUrl(ports.postgres, legacyDb),
    SIMULATORS_DATABASE_URL: externalDatabaseUrl ?? databaseUrl(ports.postgres, simulatorsDb),
    KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_UI_URL: `http://127.0.0.1:${ports.temporalUi}`,
    GATEWAY_JWT_SECRET: secrets.jwt,
    FULFILLMENT_WEBHOOK_SECRET: secrets.fulfillmentWebhook,
    GATEWAY_FULFILLMENT_WEBHOOK_SECRET: secrets.fulfillmentWebhook,
    PAYLOAD_CODEC_KEYS: secrets.payloadCodecKeys,
  };
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { stateDir, ports } = options;
  if (options.temporal === 'server' && options.externalDatabaseUrl) {
    throw new Error(
      "the Temporal server runs on the stack's own PostgreSQL: unset DATABASE_URL, or run the dev server",
    );
  }
  mkdirSync(stateDir, { recursive: true });
  const toolchain = installToolchain();
  const postgresDataDir = options.externalDatabaseUrl ? undefined : join(stateDir, 'postgres');
  const stack: RunningStack = {
    stateDir,
    ports,
    postgresDataDir,
    postgresBin: toolchain.postgresBin,
    toolchain,
    durable: options.durable,
    temporal: options.temporal ?? 'dev',
    codecEndpoint: options.codecEndpoint ?? gatewayCodecEndpoint(appPort(GATEWAY_APP, process.env)),
    env: stackEnv(
      ports,
      {
        jwt: localSecret(stateDir, 'gateway-jwt-secret'),
        fulfillmentWebhook: localSecret(stateDir, 'fulfillment-webhook-secret'),
        payloadCodecKeys: localCodecKeys(stateDir),
      },
      options.externalDatabaseUrl,
    ),
  };
  // Written before starting so `stop` can clean up after a start that failed half-way.
  writePrivateFile(stackFile(stateDir), JSON.stringify(stack, null, 2));
  try {
    await startServices(stack, STACK_SERVICES);
  } catch (error) {
    await stopStack(stateDir);
    throw error;
  }
  return stack;
}

/** The stack's own services, each stoppable and restartable alone (the fault suite does). */
export const STACK_SERVICES = ['postgres', 'kafka', 'temporal'] as const;
export type StackService = (typeof STACK_SERVICES)[number];

/**
 * Starts services of `stack` in parallel (the Temporal server once PostgreSQL, which it stores
 * in, is up); fails naming every one that did not start.
 */
async function startServices(
  stack: RunningStack,
  services: readonly StackService[],
): Promise<void> {
  const postgres = services.includes('postgres')
    ? startService(stack, 'postgres')
    : Promise.resolve();
  const started = await Promise.allSettled(
    services.map((service) => {
      if (service === 'postgres') return postgres;
      if (service === 'temporal' && stack.temporal === 'server') {
        return postgres.then(
          () => startService(stack, service),
          () => Promise.reject(new Error('the Temporal server did not start: PostgreSQL did not')),
        );
      }
      return startService(stack, service);
    }),
  );
  const failures = started.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    throw new Error(
      `the local stack did not start:\n${failures.map((f) => `  - ${String(f.reason?.message ?? f.reason)}`).join('\n')}`,
    );
  }
}

/** Starts one service of `stack` with the options the stack was started with. */
function startService(stack: RunningStack, service: StackService): Promise<void> {
  const { stateDir, ports, toolchain } = stack;
  switch (service) {
    case 'postgres':
      return stack.postgresDataDir
        ? startPostgres({
            binDir: toolchain.postgresBin,
            dataDir: stack.postgresDataDir,
            logFile: logFile(stateDir, 'postgres'),
            port: ports.postgres,
            durable: stack.durable ?? true,
          })
        : Promise.resolve();
    case 'kafka':
      return startKafka({
        libsDir: toolchain.kafkaLibs,
        stateDir: join(stateDir, 'kafka'),
        logFile: logFile(stateDir, 'kafka'),
        pidFile: pidFile(stateDir, 'kafka'),
        port: ports.kafka,
        controllerPort: ports.kafkaController,
        topics: KAFKA_TOPIC_SPECS,
        partitions: TOPIC_PARTITIONS,
      });
    case 'temporal':
      if (stack.temporal === 'server') {
        return startTemporalServer({
          binaries: installTemporalServer(),
          cli: toolchain.temporalCli,
          stateDir: join(stateDir, 'temporal-server'),
          logFile: logFile(stateDir, 'temporal'),
          pidFile: pidFile(stateDir, 'temporal'),
          uiLogFile: logFile(stateDir, 'temporal-ui'),
          uiPidFile: pidFile(stateDir, 'temporal-ui'),
          port: ports.temporal,
          uiPort: ports.temporalUi,
          postgresPort: ports.postgres,
          namespace: stack.env.TEMPORAL_NAMESPACE,
          codecEndpoint:
            stack.codecEndpoint ?? gatewayCodecEndpoint(appPort(GATEWAY_APP, process.env)),
        });
      }
      return startTemporal({
        cli: toolchain.temporalCli,
        stateDir: join(stateDir, 'temporal'),
        logFile: logFile(stateDir, 'temporal'),
        pidFile: pidFile(stateDir, 'temporal'),
        port: ports.temporal,
        uiPort: ports.temporalUi,
        namespace: stack.env.TEMPORAL_NAMESPACE,
        codecEndpoint:
          stack.codecEndpoint ?? gatewayCodecEndpoint(appPort(GATEWAY_APP, process.env)),
      });
  }
}

function stopService(
  stack: RunningStack,
  service: StackService,
  postgres?: StopPostgresOptions,
): Promise<void> {
  switch (service) {
    case 'postgres':
      return stack.postgresDataDir
        ? stopPostgres({ binDir: stack.postgresBin, dataDir: stack.postgresDataDir }, postgres)
        : Promise.resolve();
    case 'kafka':
      return stopKafka(pidFile(stack.stateDir, 'kafka'));
    case 'temporal':
      return stopAnyTemporal(stack.stateDir);
  }
}

/**
 * Stops whichever Temporal runs from `stateDir`: both have the pid file `temporal`, the server's
 * Web UI one of its own (absent for the dev server, whose UI is in its process).
 */
const stopAnyTemporal = (stateDir: string): Promise<void> =>
  stopTemporalServer(pidFile(stateDir, 'temporal'), pidFile(stateDir, 'temporal-ui'));

function requireStack(stateDir: string): RunningStack {
  const stack = readRunningStack(stateDir);
  if (!stack) throw new Error(`no stack in ${stateDir}`);
  return stack;
}

/** Stops one service of the stack in `stateDir`, keeping its state (data, logs, ports). */
export const stopStackService = (
  stateDir: string,
  service: StackService,
  postgres?: StopPostgresOptions,
): Promise<void> => stopService(requireStack(stateDir), service, postgres);

/** Starts one service of the stack in `stateDir` again, on its ports, from its kept state. */
export const startStackService = (stateDir: string, service: StackService): Promise<void> =>
  startService(requireStack(stateDir), service);

/** The services of `stack` it runs itself (not an external PostgreSQL) that are up. */
export function runningServices(stack: RunningStack): StackService[] {
  return ownedServices(stack).filter((service) => {
    if (service === 'postgres') {
      return isPostgresRunning({ binDir: stack.postgresBin, dataDir: stack.postgresDataDir! });
    }
    const pid = readPid(pidFile(stack.stateDir, service));
    return pid !== undefined && isAlive(pid);
  });
}

const ownedServices = (stack: RunningStack): StackService[] =>
  STACK_SERVICES.filter((service) => service !== 'postgres' || stack.postgresDataDir);

/**
 * What `npm start` starts of the stack: all of it (on the configured ports, with the current
 * options) when none of it runs, otherwise only the services that are down, on the ports of the
 * ones that run.
 */
export function servicesToStart(
  recorded: RunningStack | undefined,
  running: readonly StackService[],
): 'all' | StackService[] {
  if (!recorded || running.length === 0) return 'all';
  return ownedServices(recorded).filter((service) => !running.includes(service));
}

/** Starts what is down of the stack in `options.stateDir` (see servicesToStart). */
export async function ensureStack(
  options: StackOptions,
): Promise<{ stack: RunningStack; started: StackService[] }> {
  const recorded = readRunningStack(options.stateDir);
  const toStart = servicesToStart(recorded, recorded ? runningServices(recorded) : []);
  if (toStart === 'all') {
    const stack = await startStack({
      ...options,
      temporal: options.temporal ?? recorded?.temporal,
    });
    return { stack, started: ownedServices(stack) };
  }
  const stack = recorded!;
  const wanted = options.temporal ?? stack.temporal ?? 'dev';
  if (wanted !== (stack.temporal ?? 'dev')) {
    if (!toStart.includes('temporal')) {
      throw new Error(
        `the stack in ${options.stateDir} runs the Temporal ${stack.temporal === 'server' ? 'server' : 'dev server'}: ` +
          'stop it (`npm stop`) before switching (each keeps its own workflows)',
      );
    }
    stack.temporal = wanted;
    writeFileSync(stackFile(options.stateDir), JSON.stringify(stack, null, 2));
  }
  // A stack recorded before the fulfilment webhook existed gets its key now, and keeps it.
  if (!stack.env.FULFILLMENT_WEBHOOK_SECRET) {
    const secret = localSecret(options.stateDir, 'fulfillment-webhook-secret');
    stack.env.FULFILLMENT_WEBHOOK_SECRET = secret;
    stack.env.GATEWAY_FULFILLMENT_WEBHOOK_SECRET = secret;
    writePrivateFile(stackFile(options.stateDir), JSON.stringify(stack, null, 2));
  }
  // Likewise the payload codec's keys for a stack recorded before the codec.
  if (!stack.env.PAYLOAD_CODEC_KEYS) {
    stack.env.PAYLOAD_CODEC_KEYS = localCodecKeys(options.stateDir);
    writePrivateFile(stackFile(options.stateDir), JSON.stringify(stack, null, 2));
  }
  await startServices(stack, toStart);
  return { stack, started: toStart };
}

/**
 * Writes a file only its owner may read or write (0600): the stack's keys, and stack.json and the
 * suites' env file, which hold them. A file left with a wider mode by an older version is
 * narrowed too (`mode` alone applies only when the file is created).
 */
export function writePrivateFile(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** A random signing key for local tokens, created on the stack's first start and then reused. */
export function localSecret(stateDir: string, name: string): string {
  const file = join(stateDir, name);
  if (!existsSync(file)) writePrivateFile(file, randomBytes(32).toString('hex'));
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

/**
 * The stack's payload codec keys, one `local-1` key created on the first start and then reused
 * (the file may list more, newest first, to try a rotation locally).
 */
function localCodecKeys(stateDir: string): string {
  const file = join(stateDir, 'payload-codec-keys');
  if (!existsSync(file)) writePrivateFile(file, generateCodecKey('local-1'));
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

export function readRunningStack(stateDir: string): RunningStack | undefined {
  const file = stackFile(stateDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunningStack) : undefined;
}

/** Stops whatever of the stack is running; safe to call twice. */
export async function stopStack(stateDir: string, postgres?: StopPostgresOptions): Promise<void> {
  const stack = readRunningStack(stateDir);
  if (!stack) {
    // Nothing described: still stop what pid files name.
    await Promise.all([stopAnyTemporal(stateDir), stopKafka(pidFile(stateDir, 'kafka'))]);
    return;
  }
  await Promise.all(STACK_SERVICES.map((service) => stopService(stack, service, postgres)));
}

/**
 * Stops the stack and deletes its state: for the throw-away stacks of test runs. PostgreSQL
 * stops `immediate`: its data is deleted next, and a fast stop waits for every walsender, so a
 * test's replication client that never read on would hold the run's teardown for good.
 */
export async function destroyStack(stateDir: string): Promise<void> {
  await stopStack(stateDir, { mode: 'immediate', timeoutSeconds: 30 });
  rmSync(stateDir, { recursive: true, force: true });
}

export { logFile as stackLogFile, pidFile as stackPidFile };
