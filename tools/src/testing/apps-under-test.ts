/**
 * The platform's own processes for an end-to-end suite, started from their entry points the
 * way `npm start` runs them, on free ports, against the suite's shared stack. Each suite gets a
 * task queue of its own, so no other suite's worker picks up its orders, and its own log folder.
 * `downstream()` starts the simulators and a worker wired to them (gateways started after it
 * price orders from the simulators' catalogue); `start()` adds any app (a gateway, say, or a
 * second one with other settings).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLATFORM_APPS, startApp, stopApp } from '../stack/apps';
import { findFreePort } from '../stack/ports';
import { isAlive, readPid } from '../stack/service-process';

export class AppsUnderTest {
  readonly taskQueue: string;
  private readonly dir: string;
  private readonly pidFiles: string[] = [];
  private simulators?: string;
  /** Set by stopAll: a test body that outlived its timeout must not start apps nobody stops. */
  private closed = false;
  /** How each instance was started, so `restart` brings it back the same (same port too). */
  private readonly started = new Map<
    string,
    { app: string; env: NodeJS.ProcessEnv; port: number }
  >();

  constructor(suite: string) {
    this.taskQueue = `${suite}-${randomUUID()}`;
    this.dir = mkdtempSync(join(tmpdir(), `${suite}-`));
  }

  /** Starts `app` (a name of PLATFORM_APPS) as `instance`; returns its base URL. */
  async start(
    app: string,
    instance: string = app,
    env: NodeJS.ProcessEnv = {},
    waitFor: 'ready' | 'live' = 'ready',
    port?: number,
  ): Promise<string> {
    const definition = PLATFORM_APPS.find((candidate) => candidate.name === app);
    if (!definition) throw new Error(`no platform app named ${app}`);
    if (this.closed) throw new Error(`${instance}: the suite has already stopped its apps`);
    port ??= await findFreePort();
    this.started.set(instance, { app, env, port });
    const pidFile = join(this.dir, `${instance}.pid`);
    if (!this.pidFiles.includes(pidFile)) this.pidFiles.push(pidFile);
    // Still running when started again: a test failed before stopping it. A second process on
    // the same pid file would outlive the suite (a stray mirror doubling every later fact).
    await stopApp(pidFile);
    await startApp(
      definition,
      {
        ...process.env,
        LOG_LEVEL: process.env.APPS_LOG_LEVEL ?? 'warn',
        TEMPORAL_TASK_QUEUE: this.taskQueue,
        ...this.downstreamEnv(),
        ...env,
        [definition.portVariable]: String(port),
      },
      { logFile: join(this.dir, `${instance}.log`), pidFile },
      waitFor,
    );
    return `http://127.0.0.1:${port}`;
  }

  /** The simulated downstream world and a worker calling it; returns the simulators' URL. */
  async downstream(workerEnv: NodeJS.ProcessEnv = {}): Promise<string> {
    this.simulators = await this.start('simulators');
    await this.start('worker', 'worker', workerEnv);
    return this.simulators;
  }

  /** Stops `instance` as an operator would (SIGTERM, shutdown hooks run). */
  async stop(instance: string): Promise<void> {
    if (!this.started.has(instance)) throw new Error(`${instance} was not started`);
    await stopApp(join(this.dir, `${instance}.pid`));
  }

  /** Starts a stopped `instance` again as it was started, on the same port; returns its URL. */
  async restart(instance: string): Promise<string> {
    const previous = this.started.get(instance);
    if (!previous) throw new Error(`${instance} was not started`);
    return this.start(previous.app, instance, previous.env, 'ready', previous.port);
  }

  /** The base URL `instance` was last started on. */
  url(instance: string): string {
    const started = this.started.get(instance);
    if (!started) throw new Error(`${instance} was not started`);
    return `http://127.0.0.1:${started.port}`;
  }

  /** SIGKILL, as a crash would: no shutdown hooks, nothing flushed. */
  async kill(instance: string): Promise<void> {
    const pid = readPid(join(this.dir, `${instance}.pid`));
    if (pid === undefined) throw new Error(`${instance} was not started`);
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** Whether `instance` still runs: a process that died by itself shows here. */
  isRunning(instance: string): boolean {
    const pid = readPid(join(this.dir, `${instance}.pid`));
    return pid !== undefined && isAlive(pid);
  }

  async stopAll(): Promise<void> {
    this.closed = true;
    await Promise.all(this.pidFiles.reverse().map((pidFile) => stopApp(pidFile)));
    // KEEP_TEST_STACK keeps the apps' logs too, for a post-mortem.
    if (process.env.KEEP_TEST_STACK) console.error(`kept the apps' logs in ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }

  private downstreamEnv(): NodeJS.ProcessEnv {
    const url = this.simulators;
    if (!url) return {};
    return {
      FRAUD_URL: url,
      WAREHOUSE_URL: url,
      PAYMENTS_URL: url,
      FULFILLMENT_URL: url,
      NOTIFIER_URL: url,
      CATALOGUE_URL: url,
    };
  }
}

/** Calls a simulator's admin API (settings, stock, ledger); throws on anything but 200. */
export async function simulatorCall<T = unknown>(
  simulatorsUrl: string,
  method: 'GET' | 'PUT',
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${simulatorsUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status !== 200) {
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as T;
}

/** Resets the fraud and payment simulators' dials to their defaults: instant, approving, no failures. */
export async function calmDownstream(simulatorsUrl: string): Promise<void> {
  await simulatorCall(simulatorsUrl, 'PUT', '/fraud/settings', {});
  await simulatorCall(simulatorsUrl, 'PUT', '/payments/settings', {});
}
