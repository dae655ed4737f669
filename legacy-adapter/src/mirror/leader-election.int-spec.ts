/**
 * The mirror's leader election against the suite's real PostgreSQL: of several candidates one
 * leads, a clean stop hands over, and a leader whose session is cut steps down at once, before
 * anyone could have noticed on the next beat.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import { createLogger } from '@order-platform/runtime';
import { eventually, suiteEnv } from '@order-platform/tools';
import { LeaderElection } from './leader-election';

const silent = createLogger('leader-election-int-spec', 'error', () => undefined);

/** A candidate that records what it was told, in order. */
function candidate(name: string, instance: string, pollMs = 100) {
  const told: string[] = [];
  const registry = new Registry();
  const election = new LeaderElection(
    { connectionString: suiteEnv('LEGACY_DATABASE_URL'), name, pollMs, instance },
    {
      lead: () => void told.push('lead'),
      stepDown: async (reason) => void told.push(`step down: ${reason}`),
    },
    registry,
    silent,
  );
  return { election, told, registry };
}

describe('leader election for the mirror', () => {
  let admin: Client;
  const running: LeaderElection[] = [];

  beforeAll(async () => {
    admin = new Client({ connectionString: suiteEnv('LEGACY_DATABASE_URL') });
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(running.map((election) => election.stop()));
    await admin.end();
  });

  const start = (...candidates: ReturnType<typeof candidate>[]) => {
    for (const { election } of candidates) {
      running.push(election);
      election.start();
    }
  };
  const leaders = (...candidates: ReturnType<typeof candidate>[]) =>
    candidates.filter((c) => c.election.role === 'leader');

  it('elects exactly one of three, hands over on a clean stop, and leaves other names alone', async () => {
    const name = `mirror:test:${randomUUID()}`;
    const [a, b, c] = [candidate(name, 'a'), candidate(name, 'b'), candidate(name, 'c')];
    const elsewhere = candidate(`mirror:test:${randomUUID()}`, 'other');
    start(a, b, c, elsewhere);

    const first = await eventually('a leader', async () => leaders(a, b, c)[0]);
    // Several beats later still exactly one: the others keep asking and keep being refused.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(leaders(a, b, c)).toEqual([first]);
    expect(first.told).toEqual(['lead']);
    expect(await first.registry.getSingleMetricAsString('order_platform_mirror_leader')).toMatch(
      new RegExp(`order_platform_mirror_leader\\{lock="${name}"\\} 1`),
    );
    // Another slot's mirror has a lock of its own.
    await eventually('the other name led', async () =>
      elsewhere.election.role === 'leader' ? true : undefined,
    );

    await first.election.stop();
    expect(first.told).toEqual(['lead', 'step down: stopping']);
    const second = await eventually('a new leader', async () => leaders(a, b, c)[0]);
    expect(second).not.toBe(first);
    expect(leaders(a, b, c)).toEqual([second]);
  });

  it('steps down at once when its session is cut, and another takes over', async () => {
    const name = `mirror:test:${randomUUID()}`;
    // A beat far longer than the test: only the lost connection itself can make it step down.
    const instance = `cut-${randomUUID().slice(0, 8)}`;
    const [a, b] = [candidate(name, instance, 60_000), candidate(name, 'b', 100)];
    start(a);
    await eventually('a leads', async () => (a.election.role === 'leader' ? true : undefined));
    start(b);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.election.role).toBe('standby');

    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = $1`,
      [`order-platform-mirror-lock ${instance}`],
    );
    expect(rowCount).toBeGreaterThan(0);
    await eventually('a stepped down', async () => (a.told.length === 2 ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 20,
    });
    expect(a.told[1]).toMatch(/^step down: /);
    await eventually('b leads', async () => (b.election.role === 'leader' ? true : undefined), {
      timeoutMs: 5_000,
    });
    expect(a.election.role).toBe('standby');
  });
});
