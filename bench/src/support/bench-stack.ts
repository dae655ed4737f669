/**
 * A throw-away stack for one benchmark run, started with the command the integration suites use
 * (`platform stack-up`, on free ports in a temporary folder) and destroyed at the end,
 * plus the platform's apps as real processes whose pids the benchmarks can read (for RSS).
 * Nothing here is shared with a running `npm start` or a test run. STACK_TEMPORAL=server runs it
 * on the Temporal server itself instead of the dev server (docs/operations.md). The runner
 * warms its Kafka broker up before anything is timed (`warmUpKafka`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  findFreePort,
  PLATFORM_APPS,
  REPO_ROOT,
  startApp,
  stopApp,
  TS_NODE_ARGS,
} from '@order-platform/tools';
import { createKafka } from '@order-platform/runtime';
import { warmUpKafka } from './kafka-warm-up';

const PLATFORM_CLI = [...TS_NODE_ARGS, join(REPO_ROOT, 'tools/src/cli/platform.ts')];

export interface StackVariables {
  DATABASE_URL: string;
  LEGACY_DATABASE_URL: string;
  SIMULATORS_DATABASE_URL: string;
  KAFKA_BROKERS: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  GATEWAY_JWT_SECRET: string;
  PAYLOAD_CODEC_KEYS: string;
  /** Which Temporal the stack runs: `dev` (the default) or `server` (STACK_TEMPORAL=server). */
  STACK_TEMPORAL: string;
}

export interface RunningApp {
  url: string;
  pid: number;
  logFile: string;
}

export class BenchStack {
  readonly stateDir: string;
  readonly env: StackVariables;
  private readonly apps = new Map<string, RunningApp & { pidFile: string }>();

  private constructor(stateDir: string, env: StackVariables) {
    this.stateDir = stateDir;
    this.env = env;
  }

  /**
   * Durable (fsync and synchronous commit on, as `npm start` and production run PostgreSQL), on
   * free ports: the test stack's `--ephemeral` turns synchronous commit off, which holds logical
   * replication back until the WAL writer's next flush and would add up to a few hundred
   * milliseconds to the mirror's latency that no real deployment has.
   */
  static async up(): Promise<BenchStack> {
    const stateDir = mkdtempSync(join(tmpdir(), 'order-platform-bench-'));
    const envFile = join(stateDir, 'env.json');
    const ports = {
      STACK_POSTGRES_PORT: String(await findFreePort()),
      STACK_KAFKA_PORT: String(await findFreePort()),
      STACK_KAFKA_CONTROLLER_PORT: String(await findFreePort()),
      STACK_TEMPORAL_PORT: String(await findFreePort()),
      STACK_TEMPORAL_UI_PORT: String(await findFreePort()),
    };
    execFileSync(
      process.execPath,
      [...PLATFORM_CLI, 'stack-up', '--state-dir', stateDir, '--write-env', envFile],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
        // An own DATABASE_URL would point the bench at someone's database: always its own.
        env: { ...process.env, ...ports, DATABASE_URL: '' },
      },
    );
    return new BenchStack(stateDir, JSON.parse(readFileSync(envFile, 'utf8')) as StackVariables);
  }

  /** Before anything is timed: see support/kafka-warm-up.ts. */
  async warmUpKafka(): Promise<void> {
    const began = Date.now();
    await warmUpKafka(createKafka({ clientId: 'bench-warm-up', brokers: this.kafkaBrokers }));
    console.log(`bench: Kafka warmed up in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  }

  get kafkaBrokers(): string[] {
    return this.env.KAFKA_BROKERS.split(',');
  }

  /** Starts platform app `app` as `instance` on a free port; its logs stay in the state folder. */
  async start(app: string, instance: string, env: NodeJS.ProcessEnv = {}): Promise<RunningApp> {
    if (this.apps.has(instance)) throw new Error(`${instance} is already running`);
    const definition = PLATFORM_APPS.find((candidate) => candidate.name === app);
    if (!definition) throw new Error(`no platform app named ${app}`);
    const port = await findFreePort();
    const pidFile = join(this.stateDir, 'bench-pids', `${instance}.pid`);
    const logFile = join(this.stateDir, 'bench-logs', `${instance}.log`);
    // BENCH_CPU_PROFILE_DIR: each app writes a V8 CPU profile there when it stops.
    // The apps write their profiles as they stop, where a missing folder would fail unseen; and
    // from their own working folder, so they get the path made absolute here.
    const profileDir =
      process.env.BENCH_CPU_PROFILE_DIR && resolve(process.env.BENCH_CPU_PROFILE_DIR);
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const profile = profileDir
      ? {
          NODE_OPTIONS: `--require ${join(__dirname, 'cpu-profile.js')}`,
          BENCH_CPU_PROFILE_DIR: profileDir,
        }
      : {};
    await startApp(
      definition,
      {
        ...process.env,
        ...this.env,
        LOG_LEVEL: 'warn',
        ...profile,
        ...env,
        [definition.portVariable]: String(port),
      },
      { logFile, pidFile },
    );
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    const running = { url: `http://127.0.0.1:${port}`, pid, logFile, pidFile };
    this.apps.set(instance, running);
    return running;
  }

  running(instance: string): RunningApp | undefined {
    return this.apps.get(instance);
  }

  async stop(instance: string): Promise<void> {
    const app = this.apps.get(instance);
    if (!app) return;
    if (process.env.BENCH_CPU_PROFILE_DIR) {
      process.kill(app.pid, 'SIGUSR2'); // support/cpu-profile.js writes its profile
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    await stopApp(app.pidFile);
    this.apps.delete(instance);
  }

  /** Stops every app, then the stack, and deletes its state (KEEP_BENCH_STACK=1 keeps it). */
  async down(): Promise<void> {
    await Promise.all([...this.apps.keys()].map((instance) => this.stop(instance)));
    const destroy = process.env.KEEP_BENCH_STACK === '1' ? [] : ['--destroy'];
    if (destroy.length === 0) console.log(`kept the bench stack's state in ${this.stateDir}`);
    execFileSync(
      process.execPath,
      [...PLATFORM_CLI, 'stack-down', '--state-dir', this.stateDir, ...destroy],
      { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
    );
  }
}
