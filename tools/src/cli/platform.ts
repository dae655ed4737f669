/**
 * The platform's command line, behind the npm scripts:
 *   start            stack + migrations + every app, then print the URLs   (npm start)
 *   stop             every app, then the stack                             (npm stop)
 *   status           what runs where
 *   stack-up         the stack alone; --ephemeral for free ports and fsync off (tests)
 *   stack-down       the stack alone; --destroy also deletes its state
 *   migrate | migrate-revert
 * Options: --state-dir DIR (default .stack), --write-env FILE (write the stack's variables as JSON).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate, revertLastMigration } from '@order-platform/migrations';
import { appPort, PLATFORM_APPS, startApp, stopApp } from '../stack/apps';
import {
  DEFAULT_PORTS,
  destroyStack,
  freePorts,
  readRunningStack,
  type RunningStack,
  stackLogFile,
  stackPidFile,
  type StackPorts,
  startStack,
  stopStack,
} from '../stack/stack';
import { isAlive, readPid } from '../stack/service-process';
import { REPO_ROOT } from '../stack/versions';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'state-dir': { type: 'string' },
    'write-env': { type: 'string' },
    ephemeral: { type: 'boolean', default: false },
    destroy: { type: 'boolean', default: false },
  },
});
const stateDir = resolve(values['state-dir'] ?? join(REPO_ROOT, '.stack'));

/** The fixed ports of `npm start`, each overridable (docs/configuration.md). */
function configuredPorts(): StackPorts {
  const port = (name: string, fallback: number): number => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      throw new Error(`${name} must be a TCP port (1-65535), got "${raw}"`);
    }
    return value;
  };
  return {
    postgres: port('STACK_POSTGRES_PORT', DEFAULT_PORTS.postgres),
    kafka: port('STACK_KAFKA_PORT', DEFAULT_PORTS.kafka),
    kafkaController: port('STACK_KAFKA_CONTROLLER_PORT', DEFAULT_PORTS.kafkaController),
    temporal: port('STACK_TEMPORAL_PORT', DEFAULT_PORTS.temporal),
    temporalUi: port('STACK_TEMPORAL_UI_PORT', DEFAULT_PORTS.temporalUi),
  };
}

async function stackUp(): Promise<RunningStack> {
  const started = Date.now();
  const stack = await startStack({
    stateDir,
    ports: values.ephemeral ? await freePorts() : configuredPorts(),
    externalDatabaseUrl: process.env.DATABASE_URL || undefined,
    durable: !values.ephemeral,
  });
  const applied = await migrate(stack.env.DATABASE_URL);
  log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s (${stateDir})`);
  if (applied.length > 0) log(`migrations applied: ${applied.join(', ')}`);
  if (values['write-env']) {
    writeFileSync(
      values['write-env'],
      JSON.stringify(
        {
          ...stack.env,
          TEMPORAL_TEST_SERVER: stack.toolchain.temporalTestServer,
          TEMPORAL_CLI: stack.toolchain.temporalCli,
        },
        null,
        2,
      ),
    );
  }
  return stack;
}

function requireRunningStack(): RunningStack {
  const stack = readRunningStack(stateDir);
  if (!stack) throw new Error(`no stack in ${stateDir}: run \`npm start\` first`);
  return stack;
}

/** Names of the stack's and apps' processes that are alive in this state folder. */
function runningProcesses(): string[] {
  return ['temporal', 'kafka', ...PLATFORM_APPS.map((a) => a.name)].filter((name) => {
    const pid = readPid(stackPidFile(stateDir, name));
    return pid !== undefined && isAlive(pid);
  });
}

async function start(): Promise<void> {
  const running = runningProcesses();
  if (running.length > 0) {
    throw new Error(
      `already running in ${stateDir} (${running.join(', ')}): \`npm run status\` shows it, \`npm stop\` stops it`,
    );
  }
  const stack = await stackUp();
  const env = { ...process.env, ...stack.env };
  for (const app of PLATFORM_APPS) {
    await startApp(app, env, {
      logFile: stackLogFile(stateDir, app.name),
      pidFile: stackPidFile(stateDir, app.name),
    });
    log(`${app.name} ready`);
  }
  printUrls(stack);
}

async function stop(): Promise<void> {
  for (const app of [...PLATFORM_APPS].reverse()) await stopApp(stackPidFile(stateDir, app.name));
  await stopStack(stateDir);
  log('platform stopped (state kept in ' + stateDir + ')');
}

function printUrls(stack: RunningStack): void {
  const gateway = `http://127.0.0.1:${appPort(
    PLATFORM_APPS.find((a) => a.name === 'gateway')!,
    process.env,
  )}`;
  const rows: [string, string][] = [
    ['Gateway', gateway],
    ['API docs (OpenAPI UI)', `${gateway}/docs`],
    ['Temporal Web UI', stack.env.TEMPORAL_UI_URL],
    ['Temporal gRPC', stack.env.TEMPORAL_ADDRESS],
    ['Kafka bootstrap', stack.env.KAFKA_BROKERS],
    ['PostgreSQL (platform)', stack.env.DATABASE_URL],
    ['PostgreSQL (monolith)', stack.env.LEGACY_DATABASE_URL],
    ...PLATFORM_APPS.filter((a) => a.name !== 'gateway').map((a): [string, string] => [
      a.name,
      `http://127.0.0.1:${appPort(a, process.env)}/health/ready`,
    ]),
    ['Logs', join(stateDir, 'logs')],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('\nThe order platform is running:\n');
  for (const [name, url] of rows) console.log(`  ${name.padEnd(width)}  ${url}`);
  console.log('\nStop it with `npm stop`.\n');
}

function status(): void {
  const stack = readRunningStack(stateDir);
  if (!stack) return log(`no stack in ${stateDir}`);
  const running = runningProcesses();
  for (const name of ['temporal', 'kafka', ...PLATFORM_APPS.map((a) => a.name)]) {
    console.log(
      `${name.padEnd(16)} ${running.includes(name) ? `running (pid ${readPid(stackPidFile(stateDir, name))})` : 'stopped'}`,
    );
  }
  printUrls(stack);
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
    `usage: platform <${Object.keys(commands).join('|')}> [--state-dir DIR] [--write-env FILE] [--ephemeral] [--destroy]`,
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
