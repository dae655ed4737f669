import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLATFORM_APPS, startApp, stopApp } from './apps';
import { findFreePort } from './ports';

describe('the platform apps on the local stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'order-platform-apps-'));
  const pidFile = (name: string): string => join(dir, `${name}.pid`);

  afterAll(async () => {
    await Promise.all(PLATFORM_APPS.map((app) => stopApp(pidFile(app.name))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('each starts from its entry point, validates its configuration and reports ready', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
    for (const app of PLATFORM_APPS) env[app.portVariable] = String(await findFreePort());
    // startApp resolves only once GET /health/ready answers 200: every dependency is reachable.
    for (const app of PLATFORM_APPS) {
      await startApp(app, env, {
        logFile: join(dir, `${app.name}.log`),
        pidFile: pidFile(app.name),
      });
    }
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
