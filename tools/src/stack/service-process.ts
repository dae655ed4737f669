/**
 * Background processes of the local stack: started detached with their output in a log file and
 * their pid in a file, so they outlive the command that started them (`npm start`) and a later
 * command (`npm stop`, a test teardown) can find and stop them.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  pidFile: string;
}

export function startDetached(spec: ServiceSpec): number {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  mkdirSync(dirname(spec.pidFile), { recursive: true });
  const log = openSync(spec.logFile, 'a');
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
  child.unref();
  writeFileSync(spec.pidFile, String(child.pid));
  return child.pid;
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim().split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie answers signal 0 but has exited: its parent (a test runner that restarted a
  // service and now blocks in a synchronous teardown, say) has not reaped it yet.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc here: signal 0 is all there is
  }
}

/** Stops a detached process group: SIGTERM, then SIGKILL if it has not exited in time. */
export async function stopProcess(pidFile: string, graceMs = 15_000): Promise<void> {
  const pid = readPid(pidFile);
  if (pid !== undefined && isAlive(pid)) {
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
  rmSync(pidFile, { force: true });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Polls `check` until it resolves true; on time-out the error points at the service's log. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  { timeoutMs, logFile, pid }: { timeoutMs: number; logFile?: string; pid?: number },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (pid !== undefined && !isAlive(pid)) {
      // Its last words in the error itself: a test run may remove the log with its folder.
      throw new Error(
        `${what} exited during start-up${logFile ? `; see ${logFile}${logTail(logFile)}` : ''}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what} not ready after ${timeoutMs} ms${logFile ? `; see ${logFile}` : ''}`,
      );
    }
    await sleep(200);
  }
}

/** The last lines of a log, indented, for an error message; empty if it cannot be read. */
function logTail(logFile: string, lines = 30): string {
  try {
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines);
    return `\n  ${tail.join('\n  ')}`;
  } catch {
    return '';
  }
}
