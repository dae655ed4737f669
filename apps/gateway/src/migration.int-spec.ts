/**
 * Operators steering the strangler over real HTTP, on the suite's real stack: the gateway reads
 * the comparator's verdicts from PostgreSQL (seeded here as the comparator would write them),
 * reports each stage's match rate and differences, and lets a stage's route move towards the new
 * side only on evidence or an audited override, while a rollback always goes through.
 *
 * Stages are global and suites share one database: every comparison seeded here is dated in the
 * future (so it is the latest of its stage, whatever other suites left) under an order-id prefix
 * of this run, and is deleted afterwards with the ignore rules; touched routes go back to legacy (the seed).
 */
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { MIGRATION_STAGES, type MigrationStage, ROUTED_STAGES } from '@order-platform/domain';
import { AppsUnderTest, gatewayCall, type GatewayReply } from '@order-platform/tools';
import { tokenFor } from './testing/test-tokens';

const PROBLEM_JSON = 'application/problem+json';
const MIN_SAMPLE = 10;

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through the integration suite's setup`);
  return value;
};

interface Seed {
  outcome: string;
  differences?: { field: string; legacy: unknown; new: unknown }[];
  ignoredBy?: string;
}

describe('operators steering the strangler migration', () => {
  const apps = new AppsUnderTest('gateway-migration');
  const run = `mig-${randomUUID().slice(0, 8)}`;
  const owner = `team-${run}`;
  let gateway: string;
  let db: PgClient;
  let operator: string;
  let operatorToken: string;
  let seeded = 0;

  beforeAll(async () => {
    gateway = await apps.start('gateway', 'gateway', {
      PROMOTION_MIN_SAMPLE: String(MIN_SAMPLE),
      PROMOTION_MIN_MATCH_RATE: '0.999',
    });
    db = new PgClient({ connectionString: env('DATABASE_URL') });
    await db.connect();
    operator = `ops-${run}`;
    operatorToken = await tokenFor('operator', operator);
  }, 240_000);

  afterAll(async () => {
    if (db) {
      await db.query('DELETE FROM stage_comparison WHERE order_id LIKE $1', [`${run}-%`]);
      await db.query('DELETE FROM comparison_ignore_rule WHERE owner = $1', [owner]);
      await db.query(
        `UPDATE stage_route SET mode = 'legacy', new_percent = 100, updated_at = now(), updated_by = $2
          WHERE stage = ANY($1::text[])`,
        [MIGRATION_STAGES, `test-cleanup-${run}`],
      );
      await db.end();
    }
    await apps.stopAll();
  }, 60_000);

  /** As the operator unless another token is given. */
  const api = (method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
    gatewayCall(gateway, method, path, {
      token: options.token ?? operatorToken,
      body: options.body,
    });

  /** Verdicts as the comparator writes them, each later than the last (and than anything real). */
  async function seed(stage: MigrationStage, rows: Seed[]): Promise<string[]> {
    const ids: string[] = [];
    for (const row of rows) {
      seeded += 1;
      const orderId = `${run}-${stage}-${seeded}`;
      ids.push(orderId);
      await db.query(
        `INSERT INTO stage_comparison
           (order_id, stage, outcome, differences, legacy, new, ignored_by, compared_at)
         VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7,
                 now() + interval '1 day' + make_interval(secs => $8))`,
        [
          orderId,
          stage,
          row.outcome,
          JSON.stringify(row.differences ?? []),
          JSON.stringify({ decision: { seeded: true } }),
          JSON.stringify({ decision: { seeded: true } }),
          row.ignoredBy ?? null,
          seeded,
        ],
      );
    }
    return ids;
  }

  const times = (count: number, row: Seed): Seed[] => Array.from({ length: count }, () => row);

  async function ignoreRule(
    stage: MigrationStage,
    field: string,
    hitCount: number,
    expiresIn: string,
  ): Promise<string> {
    const [rule] = (
      await db.query(
        `INSERT INTO comparison_ignore_rule (stage, field, reason, owner, expires_at, hit_count)
         VALUES ($1, $2, $3, $4, now() + $5::interval, $6) RETURNING id::text AS id`,
        [stage, field, `known difference in ${field}`, owner, expiresIn, hitCount],
      )
    ).rows as { id: string }[];
    return rule!.id;
  }

  const stageIn = (report: GatewayReply, stage: MigrationStage) =>
    report.body.stages.find((entry: { stage: string }) => entry.stage === stage);

  const auditRow = async (auditId: string) =>
    (
      await db.query(
        'SELECT operator_id, action, subject, details FROM operator_audit WHERE id = $1',
        [auditId],
      )
    ).rows[0];

  const routeOf = async (stage: MigrationStage) =>
    (
      await db.query('SELECT mode, new_percent, updated_by FROM stage_route WHERE stage = $1', [
        stage,
      ])
    ).rows[0];

  it('is for operators only', async () => {
    const customer = await tokenFor('customer', `c-${run}`);
    const calls: [string, string, unknown?][] = [
      ['GET', '/v1/ops/routing'],
      ['PUT', '/v1/ops/routing/payment', { mode: 'legacy', reason: 'not mine to decide' }],
      ['GET', '/v1/ops/migration'],
    ];
    for (const [method, path, body] of calls) {
      const asCustomer = await api(method, path, { token: customer, body });
      expect(asCustomer.status).toBe(403);
      expect(asCustomer.headers.get('content-type')).toContain(PROBLEM_JSON);
      expect(asCustomer.body.type).toBe('urn:order-platform:problem:forbidden');
      expect((await api(method, path, { token: '', body })).status).toBe(401);
    }
  });

  it("reports a stage's sample: match rate, outcomes, top differing fields with examples, ignore rules", async () => {
    const excusing = await ignoreRule('payment', 'currency', 7, '30 days');
    await ignoreRule('payment', 'authorizationId', 2, '-1 day');
    // Older than the sample window (the latest 10): must not show.
    await seed('payment', [
      { outcome: 'mismatch', differences: [{ field: 'outsideTheSample', legacy: 1, new: 2 }] },
    ]);
    const [, , , , , , firstAmount, secondAmount] = await seed('payment', [
      ...times(6, { outcome: 'match' }),
      {
        outcome: 'mismatch',
        differences: [{ field: 'amountMinor', legacy: 2500, new: 2499 }],
      },
      {
        outcome: 'mismatch',
        differences: [
          { field: 'amountMinor', legacy: 1250, new: 1200 },
          { field: 'authorized', legacy: true, new: false },
        ],
      },
      {
        outcome: 'mismatch',
        differences: [{ field: 'currency', legacy: 'EUR', new: 'eur' }],
        ignoredBy: excusing,
      },
      { outcome: 'missing-in-new' },
    ]);

    const report = await api('GET', '/v1/ops/migration');
    expect(report.status).toBe(200);
    expect(report.body.bar).toEqual({ minMatchRate: 0.999, minSample: MIN_SAMPLE });
    expect(report.body.stages.map((s: { stage: string }) => s.stage)).toEqual([
      ...MIGRATION_STAGES,
    ]);
    const payment = stageIn(report, 'payment');
    expect(payment).toMatchObject({
      stage: 'payment',
      mode: expect.stringMatching(/^(legacy|shadow|new)$/),
      newPercent: expect.any(Number),
      sampleSize: MIN_SAMPLE,
      matchRate: 0.7, // 6 matches + 1 excused mismatch, of 10
      clearsBar: false,
      excusedMismatches: 1,
      outcomes: {
        match: 6,
        mismatch: 3,
        'missing-in-new': 1,
        'missing-in-legacy': 0,
        duplicate: 0,
        'out-of-order': 0,
      },
    });
    // Only unexcused mismatches, most frequent first, latest example first.
    expect(payment.topDifferences).toEqual([
      {
        field: 'amountMinor',
        count: 2,
        examples: [
          { orderId: secondAmount, legacy: 1250, new: 1200 },
          { orderId: firstAmount, legacy: 2500, new: 2499 },
        ],
      },
      {
        field: 'authorized',
        count: 1,
        examples: [{ orderId: secondAmount, legacy: true, new: false }],
      },
    ]);
    const mine = payment.ignoreRules.filter((rule: { reason: string }) =>
      rule.reason.startsWith('known difference in'),
    );
    expect(mine).toEqual(
      expect.arrayContaining([
        {
          id: excusing,
          field: 'currency',
          reason: 'known difference in currency',
          owner,
          expiresAt: expect.any(String),
          hitCount: 7,
          expired: false,
        },
        expect.objectContaining({ field: 'authorizationId', hitCount: 2, expired: true }),
      ]),
    );
  });

  it('refuses to promote below the bar, saying the rate, and lets an audited override through', async () => {
    const back = await api('PUT', '/v1/ops/routing/payment', {
      body: { mode: 'shadow', reason: 'compare before promoting' },
    });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ stage: 'payment', mode: 'shadow', updatedBy: operator });

    const refused = await api('PUT', '/v1/ops/routing/payment', {
      body: { mode: 'new', newPercent: 10, reason: 'start the ramp' },
    });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain(PROBLEM_JSON);
    expect(refused.body.type).toBe('urn:order-platform:problem:promotion-refused');
    expect(refused.body.detail).toContain('70 %');
    expect(refused.body.detail).toContain(`latest ${MIN_SAMPLE} comparisons`);
    expect(await routeOf('payment')).toMatchObject({ mode: 'shadow', new_percent: 100 });

    const overridden = await api('PUT', '/v1/ops/routing/payment', {
      body: {
        mode: 'new',
        newPercent: 10,
        reason: 'start the ramp',
        overrideReason: 'the amount differences are the rounding bug fixed in the monolith',
      },
    });
    expect(overridden.status).toBe(200);
    expect(overridden.body).toEqual({
      stage: 'payment',
      mode: 'new',
      newPercent: 10,
      updatedAt: expect.any(String),
      updatedBy: operator,
      auditId: expect.any(String),
    });
    expect(await auditRow(overridden.body.auditId)).toEqual({
      operator_id: operator,
      action: 'routing-change',
      subject: 'payment',
      details: {
        from: { mode: 'shadow', newPercent: 100 },
        to: { mode: 'new', newPercent: 10 },
        reason: 'start the ramp',
        overrideReason: 'the amount differences are the rounding bug fixed in the monolith',
        guard: 'overridden',
        matchRate: 0.7,
        sampleSize: MIN_SAMPLE,
      },
    });
    const routing = await api('GET', '/v1/ops/routing');
    expect(routing.status).toBe(200);
    expect(routing.body.routes.map((route: { stage: string }) => route.stage)).toEqual(
      ROUTED_STAGES,
    );
    expect(
      routing.body.routes.find((route: { stage: string }) => route.stage === 'payment'),
    ).toEqual({
      stage: 'payment',
      mode: 'new',
      newPercent: 10,
      updatedAt: overridden.body.updatedAt,
      updatedBy: operator,
    });
  });

  it('ramps on evidence once the stage clears the bar, and stores the percentage', async () => {
    await seed('payment', times(MIN_SAMPLE, { outcome: 'match' }));
    const report = await api('GET', '/v1/ops/migration');
    expect(stageIn(report, 'payment')).toMatchObject({
      sampleSize: MIN_SAMPLE,
      matchRate: 1,
      clearsBar: true,
      topDifferences: [],
      mode: 'new',
      newPercent: 10,
    });

    const ramped = await api('PUT', '/v1/ops/routing/payment', {
      body: { mode: 'new', newPercent: 50, reason: 'half of the orders' },
    });
    expect(ramped.status).toBe(200);
    expect(ramped.body).toMatchObject({ mode: 'new', newPercent: 50 });
    expect(await routeOf('payment')).toEqual({
      mode: 'new',
      new_percent: 50,
      updated_by: operator,
    });
    expect((await auditRow(ramped.body.auditId)).details).toMatchObject({
      from: { mode: 'new', newPercent: 10 },
      to: { mode: 'new', newPercent: 50 },
      overrideReason: null,
      guard: 'passed',
      matchRate: 1,
    });
  });

  it('always lets a stage roll back, however bad its record, but never jump from legacy to new', async () => {
    await seed(
      'payment',
      times(MIN_SAMPLE, {
        outcome: 'mismatch',
        differences: [{ field: 'authorized', legacy: true, new: false }],
      }),
    );
    for (const mode of ['shadow', 'legacy'] as const) {
      const rollback = await api('PUT', '/v1/ops/routing/payment', {
        body: { mode, reason: 'the new side declines good payments' },
      });
      expect(rollback.status).toBe(200);
      expect(rollback.body.mode).toBe(mode);
      expect((await auditRow(rollback.body.auditId)).details).toMatchObject({
        guard: 'passed',
        matchRate: 0,
        sampleSize: MIN_SAMPLE,
      });
    }
    await seed('payment', times(MIN_SAMPLE, { outcome: 'match' }));
    const jump = await api('PUT', '/v1/ops/routing/payment', {
      body: { mode: 'new', reason: 'looks fine now' },
    });
    expect(jump.status).toBe(409);
    expect(jump.body.type).toBe('urn:order-platform:problem:promotion-refused');
    expect(jump.body.detail).toContain('shadow first');
    expect((await routeOf('payment')).mode).toBe('legacy');
  });

  it('answers bad changes with 400 naming the field, and an unknown stage with 404', async () => {
    const cases: [unknown, string][] = [
      [{ mode: 'legacy' }, 'reason'],
      [{ mode: 'sideways', reason: 'x' }, 'mode'],
      [{ mode: 'new', newPercent: 101, reason: 'x' }, 'newPercent'],
      [{ mode: 'new', newPercent: 12.5, reason: 'x' }, 'newPercent'],
      [{ mode: 'legacy', reason: '   ' }, 'reason'],
      [{ mode: 'legacy', reason: 'x', overrideReason: '' }, 'overrideReason'],
      [{ mode: 'legacy', reason: 'x', why: 'y' }, 'why'],
    ];
    for (const [body, field] of cases) {
      const reply = await api('PUT', '/v1/ops/routing/payment', { body });
      expect(reply.status).toBe(400);
      expect(reply.body.type).toBe('urn:order-platform:problem:invalid-request');
      expect(reply.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const unknown = await api('PUT', '/v1/ops/routing/shipping', {
      body: { mode: 'legacy', reason: 'x' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain(PROBLEM_JSON);
    expect((await api('GET', '/v1/ops/migration?strict=maybe')).status).toBe(400);
  });

  it('fails strict mode (for CI) on any mismatch no ignore rule excuses, and only then', async () => {
    for (const stage of MIGRATION_STAGES) {
      await seed(stage, [
        ...times(MIN_SAMPLE - 1, { outcome: 'match' }),
        {
          outcome: 'mismatch',
          differences: [{ field: 'currency', legacy: 'EUR', new: 'eur' }],
          ignoredBy: await ignoreRule(stage, 'currency', 1, '1 day'),
        },
      ]);
    }
    const clean = await api('GET', '/v1/ops/migration?strict=true');
    expect(clean.status).toBe(200);
    expect(clean.body.stages.every((s: { matchRate: number }) => s.matchRate === 1)).toBe(true);

    await seed('notification', [
      {
        outcome: 'mismatch',
        differences: [{ field: 'channel', legacy: 'email', new: 'sms' }],
      },
    ]);
    const strict = await api('GET', '/v1/ops/migration?strict=true');
    expect(strict.status).toBe(409);
    expect(strict.headers.get('content-type')).toContain(PROBLEM_JSON);
    expect(strict.body.type).toBe('urn:order-platform:problem:unexcused-mismatches');
    expect(strict.body.detail).toContain('notification 1');
    expect(strict.body.detail).not.toContain('payment');

    const lenient = await api('GET', '/v1/ops/migration');
    expect(lenient.status).toBe(200);
    expect(stageIn(lenient, 'notification')).toMatchObject({
      matchRate: 0.9,
      topDifferences: [
        {
          field: 'channel',
          count: 1,
          examples: [{ orderId: expect.stringMatching(`^${run}-`), legacy: 'email', new: 'sms' }],
        },
      ],
    });
  });
});
