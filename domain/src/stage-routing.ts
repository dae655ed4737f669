/**
 * Strangler routing (docs/architecture.md#strangler-routing): which side decides a stage for one
 * order, and whether an operator's change of a stage's route may go ahead.
 *
 * The ramp is sticky: an order's bucket comes from a hash of the stage and the order id, never
 * from a clock or a dice roll, so every reader (workflow, adapter, report) agrees on it, a replay
 * routes the same way, and raising the percentage only ever moves more orders to the new side:
 * an order that went new at 10 % still goes new at 20 %.
 *
 * The promotion guard protects the way forward only. Giving the new side more orders needs
 * evidence (the stage's recent comparisons agree often enough, over enough of them) or an
 * operator's stated reason; going back is never blocked, because a rollback is what one reaches
 * for when something is already wrong.
 */
import type { MigrationStage } from './legacy-events';
import { MIGRATION_STAGES } from './legacy-events';
import type { MigrationRoute } from './order-status-view';

export interface StageRoute {
  stage: MigrationStage;
  mode: MigrationRoute;
  /** In mode 'new', the share of orders (0..100) the new side decides; the rest stay shadow. */
  newPercent: number;
}

/** A stage without a stored route stays with the monolith: nothing moves until a team moves it. */
export const defaultStageRoute = (stage: MigrationStage): StageRoute => ({
  stage,
  mode: 'legacy',
  newPercent: 100,
});

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text` (the same value any language computes). */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  const mix = (byte: number) => {
    hash = Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
  };
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) mix(code);
    else if (code < 0x800) {
      mix(0xc0 | (code >> 6));
      mix(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      mix(0xe0 | (code >> 12));
      mix(0x80 | ((code >> 6) & 0x3f));
      mix(0x80 | (code & 0x3f));
    } else {
      mix(0xf0 | (code >> 18));
      mix(0x80 | ((code >> 12) & 0x3f));
      mix(0x80 | ((code >> 6) & 0x3f));
      mix(0x80 | (code & 0x3f));
    }
  }
  return hash;
}

/**
 * The order's place (0..99) in a stage's ramp. The stage is part of the key, so the first 10 %
 * of fraud are not also the first 10 % of payment: one unlucky order does not meet every new
 * stage at once.
 */
export const rampBucket = (stage: MigrationStage, orderId: string): number =>
  fnv1a32(`${stage}:${orderId}`) % 100;

/** Who decides `route.stage` for this order: 'legacy' and 'shadow' apply to every order. */
export function routeForOrder(orderId: string, route: StageRoute): MigrationRoute {
  if (route.mode !== 'new') return route.mode;
  return rampBucket(route.stage, orderId) < route.newPercent ? 'new' : 'shadow';
}

/** Every stage's route for this order; a stage missing from `routes` is 'legacy' (the default). */
export function routesForOrder(
  orderId: string,
  routes: readonly StageRoute[],
): Record<MigrationStage, MigrationRoute> {
  const byStage = new Map(routes.map((route) => [route.stage, route]));
  return Object.fromEntries(
    MIGRATION_STAGES.map((stage) => [
      stage,
      routeForOrder(orderId, byStage.get(stage) ?? defaultStageRoute(stage)),
    ]),
  ) as Record<MigrationStage, MigrationRoute>;
}

/** A stage's route without the stage: what a change moves from and to. */
export type RouteSetting = Pick<StageRoute, 'mode' | 'newPercent'>;

/** What the new side must have shown before it takes more orders. */
export interface PromotionBar {
  /** Share (0..1) of the sample where both sides agreed (excused differences count as agreed). */
  minMatchRate: number;
  /** The sample is the stage's latest `minSample` comparisons, and must be that large. */
  minSample: number;
}

export interface PromotionRequest {
  from: RouteSetting;
  to: RouteSetting;
  /** Over the stage's latest `bar.minSample` comparisons; null when there are none. */
  matchRate: number | null;
  sampleSize: number;
  bar: PromotionBar;
  /** An operator's reason to go ahead without the evidence (audited by the caller). */
  overrideReason?: string;
}

export type PromotionVerdict = { allowed: true } | { allowed: false; reason: string };

/** The share of orders the new side decides under a setting (shadow and legacy: none). */
const newShare = (setting: RouteSetting): number =>
  setting.mode === 'new' ? setting.newPercent : 0;

const percent = (rate: number): string => `${(Math.floor(rate * 100_000) / 1000).toString()} %`;

/**
 * May a stage's route change from `from` to `to`? Only a change that gives the new side more
 * orders is checked: legacy straight to new needs an override (nothing was compared in
 * shadow first), shadow to new or a higher percentage needs the bar or an override. Everything
 * else (legacy to shadow, any step back, the same setting again) is allowed.
 */
export function checkPromotion(request: PromotionRequest): PromotionVerdict {
  const { from, to, matchRate, sampleSize, bar } = request;
  if (to.mode !== 'new') return { allowed: true };
  if (from.mode !== 'legacy' && newShare(to) <= newShare(from)) return { allowed: true };
  if (request.overrideReason !== undefined && request.overrideReason.trim() !== '') {
    return { allowed: true };
  }
  if (from.mode === 'legacy') {
    return {
      allowed: false,
      reason:
        'legacy straight to new skips the shadow comparison: go to shadow first, or give an overrideReason',
    };
  }
  const evidence =
    matchRate === null
      ? `no comparisons yet (bar: ${percent(bar.minMatchRate)} over ${bar.minSample})`
      : `match rate ${percent(matchRate)} over the latest ${sampleSize} comparisons (bar: ${percent(bar.minMatchRate)} over ${bar.minSample})`;
  if (sampleSize < bar.minSample) {
    return {
      allowed: false,
      reason: `too few comparisons to promote: ${evidence}; give an overrideReason to go ahead anyway`,
    };
  }
  if (matchRate === null || matchRate < bar.minMatchRate) {
    return {
      allowed: false,
      reason: `the new side agrees too rarely to promote: ${evidence}; give an overrideReason to go ahead anyway`,
    };
  }
  return { allowed: true };
}

/** A known, accepted difference between the monolith's and the platform's decisions of a stage. */
export interface IgnoreRule {
  id: string;
  stage: MigrationStage;
  field: string;
  reason: string;
  owner: string;
  expiresAt: Date;
}

/**
 * Intake: which door a new order comes in by. Not a business stage of an order (no workflow reads
 * it): the facade in front of the monolith's order endpoint (apps/facade) sends `newPercent` of
 * the customers to the platform's API and the rest to the monolith. Stored beside the stages'
 * routes and changed through the same audited routing API. Modes: `legacy` (every customer to
 * the monolith) or `new` with `newPercent`; there is no shadow, because an order is placed on
 * exactly one side.
 */
export const INTAKE_STAGE = 'intake';
export type IntakeStage = typeof INTAKE_STAGE;

/** What the routing API routes: every business stage, and intake. */
export type RoutedStage = MigrationStage | IntakeStage;
export const ROUTED_STAGES: readonly RoutedStage[] = [...MIGRATION_STAGES, INTAKE_STAGE];

/** A fresh platform takes no orders at the door: nothing moves until a team moves it. */
export const defaultIntakeRoute: RouteSetting = { mode: 'legacy', newPercent: 0 };

/**
 * The customer's place (0..99) in the intake ramp: sticky per customer, so one customer's orders
 * all come in by one door (their history stays on one side while the ramp holds), and raising the
 * share only ever moves more customers to the platform.
 */
export const intakeBucket = (customerId: string): number =>
  fnv1a32(`${INTAKE_STAGE}:${customerId}`) % 100;

export type IntakeSide = 'platform' | 'monolith';

/** The door a customer's new order takes under the intake route. */
export const intakeSideFor = (customerId: string, route: RouteSetting): IntakeSide =>
  route.mode === 'new' && intakeBucket(customerId) < route.newPercent ? 'platform' : 'monolith';

export interface IntakeChangeRequest {
  from: RouteSetting;
  to: RouteSetting;
  /** The business stages that do not clear the promotion bar, each with why. */
  stagesBelowBar: { stage: MigrationStage; evidence: string }[];
  overrideReason?: string;
}

/**
 * May intake change from `from` to `to`? Shadow is refused (there is nothing to compare at the
 * door). Giving the platform more customers needs every business stage to clear the promotion
 * bar, because the platform alone decides every stage of the orders it takes in, or an
 * operator's stated reason. Fewer customers (a rollback) is never refused.
 */
export function checkIntakeChange(request: IntakeChangeRequest): PromotionVerdict {
  const { from, to, stagesBelowBar } = request;
  if (to.mode === 'shadow') {
    return {
      allowed: false,
      reason:
        'intake has no shadow mode: an order is placed on one side only; use legacy (all to the monolith) or new with newPercent',
    };
  }
  if (newShare(to) <= newShare(from)) return { allowed: true };
  if (request.overrideReason !== undefined && request.overrideReason.trim() !== '') {
    return { allowed: true };
  }
  if (stagesBelowBar.length === 0) return { allowed: true };
  return {
    allowed: false,
    reason: `the platform would decide every stage of these customers' orders, and ${stagesBelowBar
      .map(({ stage, evidence }) => `${stage} (${evidence})`)
      .join(
        ', ',
      )} ${stagesBelowBar.length === 1 ? 'does' : 'do'} not clear the promotion bar; give an overrideReason to go ahead anyway`,
  };
}

/**
 * The dependency guard: a stage may not take orders on the platform while a stage it depends on
 * leaves some of those orders with the monolith, when that would split one commitment between
 * the two systems. Unlike the promotion guard it has no override and it protects both ways: a
 * rollback of a stage that a `new` stage depends on is refused too (roll the dependent stage
 * back first), because the split would be the same.
 *
 * The rules (docs/strangler.md#stage-dependencies):
 * - fulfilment needs inventory: the platform ships from its own warehouse against its own
 *   reservation; an order whose stock the monolith decremented would be taken from both.
 * - fulfilment needs payment: the platform captures on dispatch and can capture only an
 *   authorization it holds; a monolith authorization would be captured by the monolith on
 *   delivery, after the platform shipped.
 * Because buckets are drawn per stage, "every order fulfilment may take" means the stage it needs
 * is `new` at 100 %. Fraud and notification depend on nothing and nothing depends on them;
 * inventory and payment may move in either order (the monolith settles them in that order and
 * undoes its own half when the platform's half fails).
 */
export const STAGE_DEPENDENCIES: Readonly<
  Record<MigrationStage, readonly { needs: MigrationStage; why: string }[]>
> = {
  fraud: [],
  inventory: [],
  payment: [],
  fulfilment: [
    {
      needs: 'inventory',
      why: 'the platform ships from its own reservations, so stock would be taken by both systems',
    },
    {
      needs: 'payment',
      why: 'the platform captures on dispatch and can only capture authorizations it holds',
    },
  ],
  notification: [],
};

const everyOrderNew = (setting: RouteSetting): boolean =>
  setting.mode === 'new' && setting.newPercent >= 100;

const describeSetting = (setting: RouteSetting): string =>
  setting.mode === 'new' ? `new at ${setting.newPercent} %` : setting.mode;

/**
 * May the stages run with these settings together? `settings` is every stage's route as it would
 * be after the change (a missing stage is at its default). The first broken rule is the reason.
 */
export function checkStageDependencies(
  settings: Partial<Record<MigrationStage, RouteSetting>>,
): PromotionVerdict {
  const settingOf = (stage: MigrationStage): RouteSetting =>
    settings[stage] ?? defaultStageRoute(stage);
  for (const stage of MIGRATION_STAGES) {
    if (newShare(settingOf(stage)) === 0) continue;
    for (const { needs, why } of STAGE_DEPENDENCIES[stage]) {
      const needed = settingOf(needs);
      if (everyOrderNew(needed)) continue;
      return {
        allowed: false,
        reason: `${stage} at ${describeSetting(settingOf(stage))} needs ${needs} new at 100 % (it is ${describeSetting(needed)}): ${why}; move ${needs} first, or ${stage} back first`,
      };
    }
  }
  return { allowed: true };
}

/**
 * A monolith order's routes once the monolith has said which stages it handed over for it
 * (`handedOver`, from its placement): a handed-over stage is the platform's ('new') whatever the
 * table said, because the monolith waits for it and nobody else would act; a stage the table
 * routed 'new' that the monolith kept runs as 'shadow' (compared, never acted on twice), and is
 * named in `kept`. Never both systems, never neither. Without `handedOver` the routes stand.
 */
export function routesWithHandOver(
  routes: Record<MigrationStage, MigrationRoute>,
  handedOver: readonly MigrationStage[] | undefined,
): { routes: Record<MigrationStage, MigrationRoute>; kept: MigrationStage[] } {
  if (handedOver === undefined) return { routes, kept: [] };
  const kept = MIGRATION_STAGES.filter(
    (stage) => routes[stage] === 'new' && !handedOver.includes(stage),
  );
  const effective = Object.fromEntries(
    MIGRATION_STAGES.map((stage) => [
      stage,
      handedOver.includes(stage) ? 'new' : routes[stage] === 'new' ? 'shadow' : routes[stage],
    ]),
  ) as Record<MigrationStage, MigrationRoute>;
  return { routes: effective, kept };
}
