/**
 * The platform's own processes, started detached beside the stack by `npm start`, each from its
 * TypeScript entry point through SWC (no separate build step), logging to `.stack/logs/<app>.log`.
 */
import { join } from 'node:path';
import { isAlive, readPid, startDetached, stopProcess, waitUntil } from './service-process';
import { REPO_ROOT } from './versions';

export interface PlatformApp {
  name: string;
  entry: string;
  /** Variable holding the port of its HTTP listener (API or health), and its default. */
  portVariable: string;
  defaultPort: number;
  /** An extra instance's own port (`npm start -- --scale`, scale.ts), over the variable's. */
  port?: number;
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
  // Last: the strangler facade at the monolith's door sends orders to both of the above.
  {
    name: 'facade',
    entry: 'apps/facade/src/main.ts',
    portVariable: 'FACADE_PORT',
    defaultPort: 3500,
  },
];

export const appPort = (app: PlatformApp, env: NodeJS.ProcessEnv): number =>
  app.port ?? Number(env[app.portVariable] ?? app.defaultPort);

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

/** What `npm start` did with a process: started it, restarted it, or found it running. */
export type StartOutcome = 'started' | 'restarted' | 'running';

/** Down (no live process), unresponsive (alive, /health/live does not answer) or answering. */
export type AppState = 'down' | 'unresponsive' | 'answering';

export async function appState(
  app: PlatformApp,
  env: NodeJS.ProcessEnv,
  pidFile: string,
): Promise<AppState> {
  const pid = readPid(pidFile);
  if (pid === undefined || !isAlive(pid)) return 'down';
  const live = `http://127.0.0.1:${appPort(app, env)}/health/live`;
  const answers = await fetch(live, { signal: AbortSignal.timeout(5_000) }).then(
    (response) => response.ok,
    () => false,
  );
  return answers ? 'answering' : 'unresponsive';
}

/**
 * What `npm run status` says of the whole platform: running only when every service it owns
 * runs and every app answers, stopped when nothing does, partly running otherwise.
 */
export function platformState(
  services: { running: number; stopped: number },
  apps: readonly AppState[],
): 'running' | 'partly running' | 'stopped' {
  const appsUp = apps.filter((state) => state !== 'down').length;
  if (services.running === 0 && appsUp === 0) return 'stopped';
  const allAnswer = apps.every((state) => state === 'answering');
  return services.stopped === 0 && allAnswer ? 'running' : 'partly running';
}

const OUTCOME: Record<AppState, StartOutcome> = {
  down: 'started',
  unresponsive: 'restarted',
  answering: 'running',
};

/**
 * Brings every app up, in order: starts the ones that are down, restarts the ones alive but not
 * answering (they would hold the port a new one needs), leaves the answering ones alone. Each is
 * ready before the next is looked at, as a fresh start would have it.
 */
export async function ensureApps(
  apps: readonly PlatformApp[],
  env: NodeJS.ProcessEnv,
  files: (app: PlatformApp) => { logFile: string; pidFile: string },
): Promise<Record<string, StartOutcome>> {
  const outcomes: Record<string, StartOutcome> = {};
  for (const app of apps) {
    const { logFile, pidFile } = files(app);
    const state = await appState(app, env, pidFile);
    if (state === 'unresponsive') await stopApp(pidFile);
    if (state === 'answering') {
      // It may be waiting for a stack service just started again.
      const probe = `http://127.0.0.1:${appPort(app, env)}/health/ready`;
      await waitUntil(`${app.name} (${probe})`, async () => (await fetch(probe)).ok, {
        timeoutMs: 90_000,
        logFile,
      });
    } else {
      await startApp(app, env, { logFile, pidFile });
    }
    outcomes[app.name] = OUTCOME[state];
  }
  return outcomes;
}
