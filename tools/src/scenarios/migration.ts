/**
 * The migration scenario: a whole strangler migration of a running platform under steady
 * traffic, through public APIs only (the facade's door for placing orders, the gateway's
 * routing and migration API as an operator and its order reads as customers, the monolith's
 * and the simulators' HTTP for the outside world):
 * - every stage legacy → shadow → ramp → new, one after another, in dependency order
 *   (fulfilment after inventory and payment are new at 100 %);
 * - a deliberate divergence on fraud (the fraud provider told to reject everything, so the
 *   platform's shadow decision differs from the monolith's) that the promotion guard refuses
 *   (409 with the numbers) until it is fixed;
 * - inventory rolled back to legacy and forward again mid-traffic;
 * - the facade's intake moved from 0 % to 100 %, so at the end the monolith decides nothing;
 * then, once every order rested, the shared rules of `../verify` judge the outside world per
 * phase: nothing lost, charged once, stock conserved, told once, every customer read truthful.
 * Every promotion has to clear the bar on the comparator's matches; intake, which is not a
 * compared stage, moves on the evidence the guard itself judges (every business stage clearing
 * its bar), which the report states. `npm run scenario:migration` runs the full form;
 * `migration.int-spec.ts` the short one.
 */
import { MIGRATION_STAGES, type MigrationStage } from '@order-platform/domain';
import { mintToken } from '@order-platform/runtime';
import type { Check } from './black-friday-report';
import { sleep } from './black-friday-client';
import {
  chargedOnceCheck,
  gatherFacts,
  nothingLostCheck,
  type PhaseChecks,
  stockCheck,
  toldOnceCheck,
  truthfulReadsCheck,
} from './migration-checks';
import { migrationClient, type MigrationClient, type MigrationTarget } from './migration-client';
import {
  type MigrationReport,
  percent,
  type PhaseReport,
  type StageReport,
} from './migration-report';
import type { MigrationSettings } from './migration-settings';
import { Customers, type PlacedOrder, Shipping } from './migration-world';

/** The order stages move in: fulfilment needs inventory and payment on the platform first. */
const JOURNEY: MigrationStage[] = ['fraud', 'inventory', 'payment', 'notification', 'fulfilment'];
const DIVERGING_STAGE: MigrationStage = 'fraud';
const ROLLBACK_STAGE: MigrationStage = 'inventory';
const PRICE_MINOR = 2_500;
const STOCK = 100_000;

interface StageView {
  stage: string;
  mode: string;
  newPercent: number;
  sampleSize: number;
  matchRate: number | null;
  clearsBar: boolean;
  outcomes: Record<string, number>;
  topDifferences: { field: string; count: number }[];
}

interface Problem {
  type?: string;
  detail?: string;
}

export async function runMigration(
  target: MigrationTarget,
  settings: MigrationSettings,
  log: (line: string) => void = () => undefined,
): Promise<MigrationReport> {
  const client = migrationClient(target);
  const operator = await mintToken(
    { subject: 'migration-operator', roles: ['operator'], ttlSeconds: 4 * 3600 },
    target.tokenKeys,
  );
  const run = Math.random().toString(36).slice(2, 8);
  const skus = [0, 1, 2].map((n) => `MIG-${run}-${n}`);
  const customerIds = Array.from({ length: settings.customers }, (_, n) => `mig-${run}-${n}`);
  const startedAt = Date.now();

  log('the world: stock and prices on both sides, the warehouse’s webhook, every stage legacy');
  await resetRoutes(client, operator);
  await client.monolithExpect('PUT', '/settings/fraud', {});
  await client.sim('PUT', '/fraud/settings', {});
  await client.sim('PUT', '/fulfillment/settings', {
    webhookUrl: `${target.gatewayUrl}/v1/webhooks/fulfillment`,
  });
  for (const sku of skus) {
    // Each system counts its own shelves: both are checked, each for the orders it reserved.
    await client.monolithExpect('PUT', `/stock/${sku}`, { onHand: STOCK });
    await client.monolithExpect('PUT', `/products/${sku}`, {
      priceCents: PRICE_MINOR,
      currency: 'EUR',
    });
    await client.sim('PUT', `/warehouse/stock/${sku}`, { onHand: STOCK });
    await client.sim('PUT', `/catalogue/products/${sku}`, {
      priceMinor: PRICE_MINOR,
      currency: 'EUR',
    });
  }

  const customers = new Customers(client, customerIds, skus);
  const shipping = new Shipping(client, customers.orders);
  const stages = new Map<MigrationStage, StageReport>(
    JOURNEY.map((stage) => [
      stage,
      {
        stage,
        timeInShadowMs: null,
        sampleSize: 0,
        matchRate: null,
        outcomes: {},
        mismatchesByField: {},
        promotionsRefused: [],
        overrides: [],
        ordersByRoute: { new: 0, monolith: 0 },
      },
    ]),
  );
  const intake: MigrationReport['intake'] = { promotionsRefused: [], overrides: [], evidence: [] };
  const divergence = { caught: false, refusal: null as string | null };
  // Set by the drill inside `migrate` (a holder: the compiler does not follow closures).
  const drill: { rollback: MigrationReport['rollback'] } = { rollback: null };

  const phase = async (name: string) => {
    customers.phase = name;
    log(name);
    await sleep(settings.phaseMs);
  };
  const route = (stage: string, body: Record<string, unknown>) =>
    client.gateway('PUT', `/v1/ops/routing/${stage}`, operator, body);
  const migration = async () =>
    (
      (await client.expect(200, 'GET', '/v1/ops/migration', operator)) as {
        stages: StageView[];
      }
    ).stages;
  const viewOf = async (stage: string) => (await migration()).find((s) => s.stage === stage)!;

  /** Waits until `ready` holds, or `timeoutMs` ran out: whether it held. */
  const until = async (ready: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await ready()) return true;
      await sleep(1_000);
    }
    return false;
  };

  /**
   * Intake is not compared (the facade routes orders, nobody decides them twice): the guard
   * lets its share rise only while every business stage clears its bar. What that was, at the
   * moment intake moved: the evidence its move rests on.
   */
  const intakeEvidence = async (newPercent: number) => {
    const views = await migration();
    const stated = views
      .map((s) => `${s.stage} ${percent(s.matchRate)} over ${s.sampleSize}`)
      .join(', ');
    const clears = views.every((s) => s.clearsBar);
    intake.evidence.push(
      `${newPercent} %: ${clears ? 'every business stage cleared its bar' : 'NOT every business stage cleared its bar'} (${stated})`,
    );
  };

  /**
   * Moves `stage` to new at `newPercent` as an operator would: asks; refused, waits for the
   * bar and asks again; the bar not met in time goes through with that as the override, which
   * the report names and a check fails on.
   */
  async function promote(stage: MigrationStage | 'intake', newPercent: number) {
    const body = { mode: 'new', newPercent, reason: `migration scenario: ${newPercent} %` };
    const refusals =
      stage === 'intake' ? intake.promotionsRefused : stages.get(stage)!.promotionsRefused;
    const overrides = stage === 'intake' ? intake.overrides : stages.get(stage)!.overrides;
    const moved = async () => {
      if (stage === 'intake') await intakeEvidence(newPercent);
    };
    let answer = await route(stage, body);
    if (answer.status === 200) return moved();
    const refused = (answer.body as Problem).detail ?? JSON.stringify(answer.body);
    if (answer.status !== 409) throw new Error(`PUT routing/${stage}: ${answer.status} ${refused}`);
    refusals.push(`${newPercent} %: ${refused}`);
    log(`  ${stage} → ${newPercent} % refused: ${refused}`);
    const cleared = await until(async () => {
      if (stage !== 'intake') return (await viewOf(stage)).clearsBar;
      return (await migration()).every((s) => s.clearsBar);
    }, settings.barTimeoutMs);
    answer = await route(stage, body);
    if (answer.status === 200) return moved();
    if (cleared && stage !== 'intake')
      throw new Error(
        `${stage} cleared the bar and was still refused: ${JSON.stringify(answer.body)}`,
      );
    let overrideReason = `the bar was not met within ${settings.barTimeoutMs} ms`;
    if (stage === 'intake') {
      // Named stage by stage: the stages that did not clear the bar in time.
      const below = (await migration()).filter((s) => !s.clearsBar);
      overrideReason = below.map((s) => `${s.stage}: the bar was not met in time`).join('; ');
      await intakeEvidence(newPercent);
    }
    answer = await route(stage, { ...body, overrideReason });
    if (answer.status !== 200)
      throw new Error(
        `PUT routing/${stage} with override: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    overrides.push(`${newPercent} %: ${overrideReason}`);
    log(`  ${stage} → ${newPercent} % with override: ${overrideReason}`);
  }

  /** Mismatches by field, the most seen in any sample (the divergence's have left the last one). */
  function noteMismatches(stage: MigrationStage, view: StageView) {
    const byField = stages.get(stage)!.mismatchesByField;
    for (const { field, count } of view.topDifferences)
      byField[field] = Math.max(byField[field] ?? 0, count);
  }

  async function toShadow(stage: MigrationStage) {
    const answer = await route(stage, {
      mode: 'shadow',
      reason: 'migration scenario: compare first',
    });
    if (answer.status !== 200)
      throw new Error(`${stage} to shadow: ${JSON.stringify(answer.body)}`);
  }

  async function divergeAndFix(stage: MigrationStage) {
    await client.sim('PUT', '/fraud/settings', { decision: 'reject' });
    await phase(`${stage}: shadow, diverging (provider rejects all)`);
    await until(
      async () => ((await viewOf(stage)).outcomes.mismatch ?? 0) > 0,
      settings.barTimeoutMs,
    );
    noteMismatches(stage, await viewOf(stage));
    const answer = await route(stage, {
      mode: 'new',
      newPercent: settings.rampPercents[0] ?? 100,
      reason: 'migration scenario: promote while diverging',
    });
    const problem = answer.body as Problem;
    divergence.caught =
      answer.status === 409 && problem.type?.endsWith('promotion-refused') === true;
    divergence.refusal = `${answer.status} ${problem.detail ?? JSON.stringify(answer.body)}`;
    stages.get(stage)!.promotionsRefused.push(`while diverging: ${divergence.refusal}`);
    log(`  promotion while diverging: ${divergence.refusal}`);
    if (answer.status === 200) throw new Error('the promotion guard let a diverging stage through');
    await client.sim('PUT', '/fraud/settings', {});
    log('  the divergence fixed: the provider decides by score again');
  }

  async function migrate(stage: MigrationStage) {
    const report = stages.get(stage)!;
    const shadowAt = Date.now();
    await toShadow(stage);
    await phase(`${stage}: shadow`);
    if (stage === DIVERGING_STAGE) await divergeAndFix(stage);
    for (const [n, percent] of settings.rampPercents.entries()) {
      await promote(stage, percent);
      if (n === 0) report.timeInShadowMs = Date.now() - shadowAt;
      await phase(`${stage}: new ${percent} %`);
    }
    await promote(stage, 100);
    report.timeInShadowMs ??= Date.now() - shadowAt;
    const view = await viewOf(stage);
    Object.assign(report, {
      sampleSize: view.sampleSize,
      matchRate: view.matchRate,
      outcomes: view.outcomes,
    });
    noteMismatches(stage, view);
    await phase(`${stage}: new 100 %`);
    if (stage === ROLLBACK_STAGE) {
      const back = await route(stage, {
        mode: 'legacy',
        reason: 'migration scenario: rollback drill',
      });
      if (back.status !== 200)
        throw new Error(`rollback of ${stage}: ${JSON.stringify(back.body)}`);
      const name = `${stage}: rolled back to legacy`;
      await phase(name);
      await toShadow(stage);
      await promote(stage, 100);
      await phase(`${stage}: forward again, new 100 %`);
      const during = [...customers.orders.values()].filter((o) => o.phase === name);
      drill.rollback = {
        stage,
        ordersDuringRollback: during.length,
        keptUnderNew: during.filter((o) => o.monolith?.handedOver.includes(stage)).length,
      };
    }
  }

  customers.phase = 'every stage legacy, every customer at the monolith';
  customers.start(settings.ordersPerSecond);
  shipping.start();
  try {
    await phase(customers.phase);
    for (const stage of JOURNEY) await migrate(stage);
    for (const percent of settings.rampPercents) {
      await promote('intake', percent);
      await phase(`intake: ${percent} % of customers to the platform`);
    }
    await promote('intake', 100);
    // Held twice as long: the orders of the end state are the platform's alone.
    await phase('end state: intake 100 %, every stage new');
    await sleep(settings.phaseMs);
  } finally {
    await customers.stop();
    await shipping.stop();
    await client.sim('PUT', '/fraud/settings', {}).catch(() => undefined);
  }

  log(`${customers.orders.size} orders placed; waiting for every one to rest`);
  const open = await shipping.settle(settings.drainTimeoutMs);
  if (open.length > 0) log(`${open.length} orders still open after ${settings.drainTimeoutMs} ms`);
  // The rollback drill's orders, now that each says what it handed over.
  const { rollback } = drill;
  if (rollback) {
    const during = [...customers.orders.values()].filter(
      (o) => o.phase === `${ROLLBACK_STAGE}: rolled back to legacy`,
    );
    rollback.keptUnderNew = during.filter((o) =>
      o.monolith?.handedOver.includes(ROLLBACK_STAGE),
    ).length;
  }

  log(
    'checking the outside world: the monolith, the ledger, the warehouse, the notifier, the reads',
  );
  const all = [...customers.orders.values()];
  for (const order of all)
    for (const stage of JOURNEY)
      if (order.monolith)
        stages.get(stage)!.ordersByRoute[
          order.monolith.handedOver.includes(stage) ? 'new' : 'monolith'
        ] += 1;
  const facts = await gatherFacts(client, all);
  const judged: PhaseChecks[] = [
    nothingLostCheck(all, customers.refusedPlacements),
    chargedOnceCheck(facts),
    await stockCheck(
      client,
      facts,
      skus.map((sku) => ({ sku, monolith: STOCK, warehouse: STOCK })),
    ),
    toldOnceCheck(facts),
    truthfulReadsCheck(facts),
  ];
  const checks: Check[] = [
    ...judged.map((j) => j.check),
    await endStateCheck(client, operator, all),
    {
      name: 'the promotion guard caught the deliberate divergence and refused it with the numbers',
      passed: divergence.caught,
      detail: divergence.refusal ?? 'no promotion was tried while diverging',
    },
    rollbackCheck(rollback, all),
    {
      name: 'every promotion cleared the bar (intake: every business stage cleared its bar), none was overridden',
      passed:
        intake.overrides.length === 0 &&
        [...stages.values()].every((s) => s.overrides.length === 0),
      detail:
        [
          ...[...stages.values()]
            .filter((s) => s.overrides.length > 0)
            .map((s) => `${s.stage}: ${s.overrides.join('; ')}`),
          ...(intake.overrides.length ? [`intake: ${intake.overrides.join('; ')}`] : []),
        ].join(' | ') || 'no override needed',
    },
  ];
  const phases: PhaseReport[] = [];
  for (const order of all) {
    let entry = phases.find((p) => p.phase === order.phase);
    if (!entry) {
      entry = { phase: order.phase, orders: 0, onMonolith: 0, onPlatform: 0, findings: {} };
      phases.push(entry);
    }
    entry.orders += 1;
    entry[order.placedOn === 'monolith' ? 'onMonolith' : 'onPlatform'] += 1;
  }
  for (const { check, findings } of judged)
    for (const finding of findings) {
      const entry = phases.find((p) => p.phase === finding.phase);
      if (entry) entry.findings[check.name] = (entry.findings[check.name] ?? 0) + 1;
    }
  return {
    settings,
    durationMs: Date.now() - startedAt,
    stages: [...stages.values()],
    phases,
    intake,
    divergence,
    rollback,
    checks,
    passed: checks.every((c) => c.passed),
  };
}

/**
 * The end state, from the outside: every stage new at 100 % and intake at 100 %, and the
 * monolith decided nothing for the orders of the last step (each was born on the platform).
 */
async function endStateCheck(
  client: MigrationClient,
  operator: string,
  all: PlacedOrder[],
): Promise<Check> {
  const { routes: list } = (await client.expect(200, 'GET', '/v1/ops/routing', operator)) as {
    routes: { stage: string; mode: string; newPercent: number }[];
  };
  const notNew = list.filter((r) => r.mode !== 'new' || r.newPercent !== 100);
  const last = all.filter((o) => o.phase.startsWith('end state'));
  const onMonolith = last.filter((o) => o.placedOn === 'monolith');
  return {
    name: 'the end state: every stage and intake on the platform, the monolith taking no order decisions',
    passed: notNew.length === 0 && list.length > 0 && last.length > 0 && onMonolith.length === 0,
    detail:
      notNew.length > 0
        ? `still not new at 100 %: ${notNew.map((r) => `${r.stage} ${r.mode} ${r.newPercent}`).join(', ')}`
        : `${last.length} orders in the end state, ${onMonolith.length} of them placed on the monolith`,
  };
}

/** Rolled back mid-traffic: orders after it went back to the monolith, and none was lost. */
function rollbackCheck(rollback: MigrationReport['rollback'], all: PlacedOrder[]): Check {
  const during = all.filter((o) => o.phase === `${ROLLBACK_STAGE}: rolled back to legacy`);
  const keptByMonolith = during.filter(
    (o) => o.monolith && !o.monolith.handedOver.includes(ROLLBACK_STAGE),
  ).length;
  return {
    name: `${ROLLBACK_STAGE} rolled back and forward again mid-traffic: new orders went back to the monolith, nothing lost`,
    passed:
      rollback !== null && during.length > 0 && keptByMonolith > 0 && during.every((o) => o.final),
    detail: rollback
      ? `${during.length} orders while rolled back: ${keptByMonolith} kept by the monolith, ${rollback.keptUnderNew} still handed over (placed before the sync told the monolith); ${during.filter((o) => o.final).length} rested`
      : 'the rollback did not happen',
  };
}

/** Every route back to legacy, fulfilment first (the dependency guard), and intake to 0 %. */
export async function resetRoutes(client: MigrationClient, operator: string): Promise<void> {
  const order: string[] = [
    'intake',
    'fulfilment',
    ...MIGRATION_STAGES.filter((s) => s !== 'fulfilment'),
  ];
  for (const stage of order) {
    const answer = await client.gateway('PUT', `/v1/ops/routing/${stage}`, operator, {
      mode: 'legacy',
      reason: 'migration scenario: start from legacy',
    });
    if (answer.status !== 200)
      throw new Error(
        `PUT routing/${stage} legacy: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
  }
}
