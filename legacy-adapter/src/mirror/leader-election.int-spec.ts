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

/** A candidate that records what it was told, in order; `failing` says since when its work fails. */
function candidate(
  name: string,
  instance: string,
  pollMs = 100,
  failing: { since?: number; stepDownAfterMs: number } = { stepDownAfterMs: 60_000 },
) {
  const told: string[] = [];
  const registry = new Registry();
  const election = new LeaderElection(
    {
      connectionString: suiteEnv('LEGACY_DATABASE_URL'),
      name,
      pollMs,
      instance,
      stepDownAfterMs: failing.stepDownAfterMs,
    },
    {
      lead: () => void told.push('lead'),
      stepDown: async (reason) => void told.push(`step down: ${reason}`),
      failingSince: () => failing.since,
    },
    registry,
    silent,
  );
  return { election, told, registry, failing };
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
    // Before asking, "standby" is no answer yet: readiness waits for the first one.
    expect([a, b, c].map((x) => x.election.decided)).toEqual([false, false, false]);
    start(a, b, c, elsewhere);

    const first = await eventually('a leader', async () => leaders(a, b, c)[0]);
    await eventually(
      'every candidate answered',
      async () => [a, b, c].every((x) => x.election.decided) || undefined,
    );
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

  it('hands the lock on when its mirror keeps failing, and sits out before asking again', async () => {
    const name = `mirror:test:${randomUUID()}`;
    const stepDownAfterMs = 1_000;
    const a = candidate(name, 'a', 100, { stepDownAfterMs });
    const b = candidate(name, 'b', 100, { stepDownAfterMs });
    start(a);
    await eventually('a leads', async () => (a.election.role === 'leader' ? true : undefined));
    start(b);
    // Failing, but not yet for long enough: a keeps the lock.
    a.failing.since = Date.now();
    await new Promise((resolve) => setTimeout(resolve, stepDownAfterMs / 2));
    expect(a.election.role).toBe('leader');
    expect(b.election.role).toBe('standby');

    await eventually('b leads', async () => (b.election.role === 'leader' ? true : undefined), {
      timeoutMs: 5_000,
    });
    expect(a.told).toEqual(['lead', expect.stringMatching(/^step down: mirror failing for \d+ s/)]);
    expect(a.election.role).toBe('standby');
    expect(
      await a.registry.getSingleMetricAsString('order_platform_mirror_leader_handovers_total'),
    ).toMatch(new RegExp(`\\{lock="${name}"\\} 1`));

    // Now b fails and a, whose own failure is over, takes the lead back after sitting out.
    a.failing.since = undefined;
    b.failing.since = Date.now();
    await eventually(
      'a leads again',
      async () => (a.election.role === 'leader' ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    expect(b.election.role).toBe('standby');
    expect(leaders(a, b)).toEqual([a]);
  });
});
