/**
 * The dials a test or an operator turns to make a simulated provider misbehave: latency (the
 * response really waits) and a failure rate (a share of calls answer 503, as an overloaded
 * provider does). Settings are stored per simulator, so every process and test sees the same.
 */
import type { Queryable, TableSet } from './db';
import { problem } from './http/problem';

export const settingsTables: TableSet = {
  tables: ['simulator_settings'],
  ddl: `
    CREATE TABLE IF NOT EXISTS simulator_settings (
      simulator text PRIMARY KEY,
      settings jsonb NOT NULL
    );`,
};

export interface Dials {
  latencyMs: number;
  /** 0 to 1: the share of calls that fail with 503 before doing anything. */
  failureRate: number;
}

export async function loadSettings<S extends object>(
  q: Queryable,
  simulator: string,
  defaults: S,
): Promise<S> {
  const { rows } = await q.query<{ settings: Partial<S> }>(
    'SELECT settings FROM simulator_settings WHERE simulator = $1',
    [simulator],
  );
  return { ...defaults, ...rows[0]?.settings };
}

export async function saveSettings<S extends object>(
  q: Queryable,
  simulator: string,
  settings: S,
): Promise<S> {
  await q.query(
    `INSERT INTO simulator_settings (simulator, settings) VALUES ($1, $2)
     ON CONFLICT (simulator) DO UPDATE SET settings = EXCLUDED.settings`,
    [simulator, JSON.stringify(settings)],
  );
  return settings;
}

/** Waits the latency, then fails the call with the configured probability. */
export async function applyDials(simulator: string, dials: Dials): Promise<void> {
  if (dials.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, dials.latencyMs));
  if (dials.failureRate > 0 && Math.random() < dials.failureRate) {
    throw problem(
      'unavailable',
      `${simulator} failure injected (failureRate ${dials.failureRate})`,
    );
  }
}
