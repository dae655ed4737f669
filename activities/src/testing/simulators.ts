/**
 * The simulators for an HTTP adapter's spec: started from their entry point (as `npm start`
 * starts them) on the test stack's PostgreSQL, once per spec file, with helpers to read and
 * dial their records. Every test uses its own skus, orders and customers, so it reads only its
 * own records.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, PLATFORM_APPS, startApp, stopApp } from '@order-platform/tools';
import { BusinessOutcomeError } from '../errors';

export interface Simulators {
  url: string;
  get<T>(path: string): Promise<T>;
  put(path: string, body: unknown): Promise<void>;
  post(path: string, idempotencyKey: string): Promise<Response>;
}

/** Starts the simulators before the spec file's tests and stops them after. */
export function useSimulators(): Simulators {
  let stop: () => Promise<void> = async () => undefined;
  const simulators: Simulators = {
    url: '',
    async get<T>(path: string): Promise<T> {
      const response = await fetch(`${simulators.url}${path}`);
      expect(response.status).toBe(200);
      return (await response.json()) as T;
    },
    async put(path, body) {
      const response = await fetch(`${simulators.url}${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
    },
    post: (path, idempotencyKey) =>
      fetch(`${simulators.url}${path}`, {
        method: 'POST',
        headers: { 'idempotency-key': idempotencyKey },
      }),
  };
  beforeAll(async () => {
    const app = PLATFORM_APPS.find((candidate) => candidate.name === 'simulators')!;
    const port = await findFreePort();
    const dir = mkdtempSync(join(tmpdir(), 'simulators-'));
    const pidFile = join(dir, 'simulators.pid');
    await startApp(
      app,
      { ...process.env, SIMULATORS_PORT: String(port) },
      { logFile: join(dir, 'simulators.log'), pidFile },
    );
    simulators.url = `http://127.0.0.1:${port}`;
    stop = async () => {
      await stopApp(pidFile);
      rmSync(dir, { recursive: true, force: true });
    };
  });
  afterAll(() => stop());
  return simulators;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

/** The business outcome a call ended with (what `portActivity` turns into a saga step). */
export async function outcomeOf(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof BusinessOutcomeError)) {
    throw new Error(`expected a business outcome, got ${String(error)}`);
  }
  return error.type;
}
