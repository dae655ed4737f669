/**
 * The platform's own processes, started detached beside the stack by `npm start`, each from its
 * TypeScript entry point through SWC (no separate build step), logging to `.stack/logs/<app>.log`.
 */
import { join } from 'node:path';
import { startDetached, stopProcess, waitUntil } from './service-process';
import { REPO_ROOT } from './versions';

export interface PlatformApp {
  name: string;
  entry: string;
  /** Variable holding the port of its HTTP listener (API or health), and its default. */
  portVariable: string;
  defaultPort: number;
}

export const PLATFORM_APPS: readonly PlatformApp[] = [
  // First: the simulated downstream services the worker's activities call.
  {
    name: 'simulators',
    entry: 'apps/simulators/src/main.ts',
    portVariable: 'SIMULATORS_PORT',
    defaultPort: 3400,
  },
  {
    name: 'legacy-monolith',
    entry: 'apps/legacy-monolith/src/main.ts',
    portVariable: 'LEGACY_MONOLITH_PORT',
    defaultPort: 3100,
  },
  {
    name: 'worker',
    entry: 'apps/worker/src/main.ts',
    portVariable: 'WORKER_PORT',
    defaultPort: 3300,
  },
  {
    name: 'legacy-adapter',
    entry: 'apps/legacy-adapter/src/main.ts',
    portVariable: 'LEGACY_ADAPTER_PORT',
    defaultPort: 3200,
  },
  {
    name: 'gateway',
    entry: 'apps/gateway/src/main.ts',
    portVariable: 'GATEWAY_PORT',
    defaultPort: 3000,
  },
];

export const appPort = (app: PlatformApp, env: NodeJS.ProcessEnv): number =>
  Number(env[app.portVariable] ?? app.defaultPort);

/** Node options that run a TypeScript entry point with the workspace's import aliases. */
export const TS_NODE_ARGS = ['--enable-source-maps', '-r', '@swc-node/register'];

export async function startApp(
  app: PlatformApp,
  env: NodeJS.ProcessEnv,
  files: { logFile: string; pidFile: string },
  /** 'live' for an app started on purpose without its dependencies (a test of that). */
  waitFor: 'ready' | 'live' = 'ready',
): Promise<void> {
  const port = appPort(app, env);
  const pid = startDetached({
    name: app.name,
    command: process.execPath,
    args: [...TS_NODE_ARGS, join(REPO_ROOT, app.entry)],
    cwd: REPO_ROOT,
    env: {
      ...env,
      [app.portVariable]: String(port),
      SWC_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.json'),
    },
    ...files,
  });
  const probe = `http://127.0.0.1:${port}/health/${waitFor}`;
  await waitUntil(`${app.name} (${probe})`, async () => (await fetch(probe)).ok, {
    timeoutMs: 90_000,
    logFile: files.logFile,
    pid,
  });
}

export const stopApp = (pidFile: string): Promise<void> => stopProcess(pidFile, 20_000);
