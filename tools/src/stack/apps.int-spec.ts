import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureApps, PLATFORM_APPS, type PlatformApp, startApp, stopApp } from './apps';
import { findFreePort } from './ports';
import { isAlive, readPid } from './service-process';
import { ensureStack, readRunningStack } from './stack';
import { suiteEnv } from '../testing/suite-env';
import { TEMPORAL_SDK_METRICS } from '@order-platform/runtime';

describe('the platform apps on the local stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'order-platform-apps-'));
  const pidFile = (name: string): string => join(dir, `${name}.pid`);
  const files = (app: PlatformApp) => ({
    logFile: join(dir, `${app.name}.log`),
    pidFile: pidFile(app.name),
  });
  const env: NodeJS.ProcessEnv = {};

  afterAll(async () => {
    await Promise.all(PLATFORM_APPS.map((app) => stopApp(pidFile(app.name))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('each starts from its entry point, validates its configuration and reports ready', async () => {
    Object.assign(env, process.env, { LOG_LEVEL: 'warn' });
    for (const app of PLATFORM_APPS) env[app.portVariable] = String(await findFreePort());
    // startApp resolves only once GET /health/ready answers 200: every dependency is reachable.
    for (const app of PLATFORM_APPS) await startApp(app, env, files(app));
    const gateway = `http://127.0.0.1:${env.GATEWAY_PORT}`;
    const ready = await (await fetch(`${gateway}/health/ready`)).json();
    expect(ready).toEqual({
      status: 'ok',
      checks: { temporal: { status: 'up' }, postgres: { status: 'up' }, kafka: { status: 'up' } },
    });
    const openApi = (await (await fetch(`${gateway}/docs-json`)).json()) as { openapi: string };
    expect(openApi.openapi).toMatch(/^3\./);
    expect((await fetch(`${gateway}/docs`)).status).toBe(200);
  });

  it('each platform process serves its memory and event loop on /metrics', async () => {
    const processes = [
      ['GATEWAY_PORT', 'gateway'],
      ['WORKER_PORT', 'worker'],
      ['LEGACY_ADAPTER_PORT', 'legacy_adapter'],
    ] as const;
    for (const [portVariable, prefix] of processes) {
      const text = await (await fetch(`http://127.0.0.1:${env[portVariable]}/metrics`)).text();
      expect(text).toMatch(
        new RegExp(`^order_platform_${prefix}_process_resident_memory_bytes \\d+`, 'm'),
      );
      expect(text).toMatch(
        new RegExp(`^order_platform_${prefix}_nodejs_heap_size_used_bytes \\d+`, 'm'),
      );
      expect(text).toMatch(
        new RegExp(`^order_platform_${prefix}_nodejs_eventloop_lag_p99_seconds `, 'm'),
      );
    }
  });

  it("serves the Temporal SDK's metrics and the platform's on the worker's port", async () => {
    const worker = `http://127.0.0.1:${env.WORKER_PORT}`;
    const served = (text: string, metric: string) =>
      new RegExp(`^${metric}(_bucket)?[{ ]`, 'm').test(text);
    let text = '';
    // The SDK reports each once its workers have polled, run the backlog monitor's workflow
    // task and activity (started with the worker): within seconds.
    const deadline = Date.now() + 60_000;
    do {
      const response = await fetch(`${worker}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      text = await response.text();
      if (Object.keys(TEMPORAL_SDK_METRICS).every((metric) => served(text, metric))) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    } while (Date.now() < deadline);
    // Every SDK metric the rules and the dashboard use (runtime/src/metric-names.ts).
    expect(Object.keys(TEMPORAL_SDK_METRICS).filter((metric) => !served(text, metric))).toEqual([]);
    expect(text).toMatch(
      /^temporal_worker_task_slots_available\{.*task_queue="orders\.fraud".*worker_type="ActivityWorker"\} \d+/m,
    );
    expect(text).toContain('order_platform_health_check{check="worker",status="up"} 1');
    // Each metric family once: the SDK's text and the platform's do not collide.
    const families = text.match(/^# TYPE (\S+)/gm) ?? [];
    expect(new Set(families).size).toBe(families.length);
  });

  it('npm start again with the worker dead starts the worker alone and leaves the rest running', async () => {
    const stateDir = suiteEnv('ORDER_TEST_STACK_DIR');
    const stack = readRunningStack(stateDir)!;
    const { started } = await ensureStack({ stateDir, ports: stack.ports, durable: false });
    expect(started).toEqual([]);

    const worker = readPid(pidFile('worker'))!;
    process.kill(-worker, 'SIGKILL');
    while (isAlive(worker)) await new Promise((resolve) => setTimeout(resolve, 50));
    const pidsBefore = Object.fromEntries(
      PLATFORM_APPS.map((a) => [a.name, readPid(pidFile(a.name))]),
    );

    expect(await ensureApps(PLATFORM_APPS, env, files)).toEqual({
      simulators: 'running',
      'legacy-monolith': 'running',
      worker: 'started',
      'legacy-adapter': 'running',
      gateway: 'running',
      facade: 'running',
    });
    for (const app of PLATFORM_APPS.filter((a) => a.name !== 'worker')) {
      expect(readPid(pidFile(app.name))).toBe(pidsBefore[app.name]);
    }
    expect(readPid(pidFile('worker'))).not.toBe(worker);
    expect((await fetch(`http://127.0.0.1:${env.WORKER_PORT}/health/ready`)).ok).toBe(true);
  });

  it('refuses to start with a clear message when its configuration is wrong', async () => {
    const gateway = PLATFORM_APPS.find((app) => app.name === 'gateway')!;
    const logFile = join(dir, 'gateway-bad.log');
    await expect(
      startApp(
        gateway,
        { ...process.env, GATEWAY_PORT: 'not-a-port' },
        { logFile, pidFile: pidFile('gateway-bad') },
      ),
    ).rejects.toThrow(/exited during start-up/);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(logFile, 'utf8')).toContain('GATEWAY_PORT must be a TCP port');
  });
});
