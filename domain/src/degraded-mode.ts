/**
 * Degraded modes, the rules: when the fraud stage falls behind (too many orders past its
 * deadline), new fraud decisions follow another policy until it recovers. The mode is
 * configuration (stored, changed through the ops API without a deploy, every change audited);
 * the backlog monitor switches it on and off with hysteresis, and orders ask for their route at
 * the moment they decide, through an activity, so the workflow stays deterministic.
 */
import { CUSTOMER_SEGMENTS, type CustomerSegment } from './order';
import type { StagePolicy } from './policy';

export const DEGRADED_MODE_NAMES = ['fraud-backlog'] as const;
export type DegradedModeName = (typeof DEGRADED_MODE_NAMES)[number];

/** A threshold on the fraud stage's backlog: either the count or the share passes it. */
export interface BacklogThreshold {
  /** Orders waiting for a fraud decision longer than the target. */
  overdueCount: number;
  /** 0 to 1: their share of the orders waiting (judged only from `minWaiting` orders). */
  overdueShare: number;
}

export interface DegradedModeConfig {
  enabled: boolean;
  /**
   * A fraud decision is overdue once the order has waited this long: an early warning below the
   * SLA, because at the SLA itself every order leaves the stage (the SLA policy defers it).
   */
  fraudTargetMs: number;
  /** On when either passes (the count, or the share with at least `minWaiting` waiting). */
  enterWhen: BacklogThreshold;
  /** Off again only when both are at or below these (lower: no flapping at the edge). */
  exitWhen: BacklogThreshold;
  minWaiting: number;
  /** Once on, it stays on at least this long, so it does not flap while its own shortcuts drain the stage. */
  minActiveMs: number;
  /** Low-risk segments: below the high-value threshold, approved at once with a review flag. */
  approveWithFlagSegments: CustomerSegment[];
  /** High value (the segment's threshold) goes straight to manual review. */
  highValueToManualReview: boolean;
  /**
   * High-risk segments: they wait for the provider's own verdict up to `deferredFraudSlaMs`
   * instead of a policy fallback, so their payment (always the last hold) is authorized later.
   */
  deferPaymentSegments: CustomerSegment[];
  deferredFraudSlaMs: number;
}

export const DEFAULT_DEGRADED_MODE: DegradedModeConfig = {
  enabled: true,
  fraudTargetMs: 5 * 60_000,
  enterWhen: { overdueCount: 50, overdueShare: 0.2 },
  exitWhen: { overdueCount: 5, overdueShare: 0.05 },
  minWaiting: 20,
  minActiveMs: 10 * 60_000,
  approveWithFlagSegments: ['standard', 'vip'],
  highValueToManualReview: true,
  deferPaymentSegments: ['new-customer'],
  deferredFraudSlaMs: 60 * 60_000,
};

/** The fraud stage's backlog as the monitor measured it. */
export interface FraudBacklog {
  /** Orders awaiting a fraud decision. */
  waiting: number;
  /** Of those, the ones waiting longer than the fraud target. */
  overdue: number;
}

export const overdueShare = ({ waiting, overdue }: FraudBacklog): number =>
  waiting === 0 ? 0 : overdue / waiting;

/** Whether the mode should be on after this measurement, and the sentence the audit keeps. */
export function nextDegradedState(
  config: DegradedModeConfig,
  current: { active: boolean; forMs: number },
  backlog: FraudBacklog,
): { active: boolean; reason: string } {
  const { active } = current;
  const share = overdueShare(backlog);
  const measured = `${backlog.overdue} of ${backlog.waiting} fraud decisions waiting past the ${config.fraudTargetMs / 1000} s target (${Math.round(share * 1000) / 10}%)`;
  if (!config.enabled) return { active: false, reason: 'the mode is disabled' };
  if (!active) {
    const { overdueCount, overdueShare: enterShare } = config.enterWhen;
    const passes =
      backlog.overdue >= overdueCount ||
      (backlog.waiting >= config.minWaiting && share >= enterShare);
    return {
      active: passes,
      reason: `${measured}; enters at ${overdueCount} or ${enterShare * 100}%`,
    };
  }
  const { overdueCount, overdueShare: exitShare } = config.exitWhen;
  const recovered =
    backlog.overdue <= overdueCount && share <= exitShare && current.forMs >= config.minActiveMs;
  return {
    active: !recovered,
    reason: `${measured}; leaves at ${overdueCount} and ${exitShare * 100}%`,
  };
}

/**
 * How an order's fraud stage goes right now: `screen` by the provider (with the SLA to use), or
 * a shortcut the degraded mode takes. `mode` names the mode that chose it, for the audit trail.
 */
export type FraudRoute =
  | { route: 'screen'; fraudSlaMs: number; mode: DegradedModeName | null }
  | { route: 'approve-with-flag'; mode: DegradedModeName }
  | { route: 'manual-review'; mode: DegradedModeName };

export function fraudRouteFor(
  order: { segment: CustomerSegment; totalMinor: number },
  policy: StagePolicy,
  mode: { active: boolean; config: DegradedModeConfig },
): FraudRoute {
  const normal: FraudRoute = { route: 'screen', fraudSlaMs: policy.fraudSlaMs, mode: null };
  if (!mode.active || !mode.config.enabled) return normal;
  const { config } = mode;
  if (config.highValueToManualReview && order.totalMinor >= policy.highValueThresholdMinor)
    return { route: 'manual-review', mode: 'fraud-backlog' };
  if (config.approveWithFlagSegments.includes(order.segment))
    return { route: 'approve-with-flag', mode: 'fraud-backlog' };
  if (config.deferPaymentSegments.includes(order.segment))
    return {
      route: 'screen',
      fraudSlaMs: Math.max(policy.fraudSlaMs, config.deferredFraudSlaMs),
      mode: 'fraud-backlog',
    };
  return normal;
}

/** The problems with a configuration an operator submits, each naming its field. */
export function validateDegradedMode(config: DegradedModeConfig): string[] {
  const problems: string[] = [];
  for (const edge of ['enterWhen', 'exitWhen'] as const) {
    const threshold = config[edge];
    if (!Number.isInteger(threshold.overdueCount) || threshold.overdueCount < 0)
      problems.push(`${edge}.overdueCount: a non-negative integer`);
    if (!(threshold.overdueShare >= 0 && threshold.overdueShare <= 1))
      problems.push(`${edge}.overdueShare: a share from 0 to 1`);
  }
  if (
    config.exitWhen.overdueCount >= config.enterWhen.overdueCount ||
    config.exitWhen.overdueShare >= config.enterWhen.overdueShare
  )
    problems.push('exitWhen: must be below enterWhen, or the mode flaps at the edge');
  if (!Number.isInteger(config.minWaiting) || config.minWaiting < 1)
    problems.push('minWaiting: a positive integer');
  for (const field of ['fraudTargetMs', 'minActiveMs'] as const) {
    if (!Number.isInteger(config[field]) || config[field] < 0)
      problems.push(`${field}: a duration in milliseconds`);
  }
  for (const field of ['approveWithFlagSegments', 'deferPaymentSegments'] as const) {
    const unknown = config[field].filter((segment) => !CUSTOMER_SEGMENTS.includes(segment));
    if (unknown.length > 0) problems.push(`${field}: unknown segment ${unknown.join(', ')}`);
  }
  const both = config.approveWithFlagSegments.filter((s) =>
    config.deferPaymentSegments.includes(s),
  );
  if (both.length > 0)
    problems.push(`deferPaymentSegments: ${both.join(', ')} cannot be low and high risk at once`);
  if (!Number.isInteger(config.deferredFraudSlaMs) || config.deferredFraudSlaMs <= 0)
    problems.push('deferredFraudSlaMs: a positive duration in milliseconds');
  return problems;
}
