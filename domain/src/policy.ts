/**
 * Stage policies per customer segment: the order of the steps and every duration an order may
 * wait, with what happens when the wait runs out. The workflow reads these values, never
 * literals of its own. Defaults live here; configuration may override any field, and a bad
 * override is refused at load with the path of the field.
 */
import { DAY, HOUR, MINUTE, parseDuration } from './durations';
import { CUSTOMER_SEGMENTS, type CustomerSegment } from './order';

/** Fraud screening, stock hold and payment authorization, in the order the policy gives. */
export const HOLD_STEPS = ['fraud', 'inventory', 'payment'] as const;
export type HoldStep = (typeof HOLD_STEPS)[number];

export type FraudTimeoutAction = 'manual-review' | 'approve-with-flag';

export interface StagePolicy {
  /** A permutation of the hold steps; payment is authorized last so nothing is charged early. */
  stepOrder: readonly HoldStep[];
  fraudSlaMs: number;
  manualReviewDeadlineMs: number;
  reservationTtlMs: number;
  paymentSlaMs: number;
  authorizationValidityMs: number;
  deliveryWindowMs: number;
  /**
   * How long after the delivery a return may be requested, and how long an authorized return
   * waits for its parcel before it lapses.
   */
  returnWindowMs: number;
  /** Orders at or above this total (minor units) go to manual review when fraud is late. */
  highValueThresholdMinor: number;
  /** What a late fraud decision means for an order below the high-value threshold. */
  lowRiskOnFraudTimeout: FraudTimeoutAction;
  /** How many times an expired reservation is re-reserved before the order is cancelled. */
  maxReReservations: number;
  /** How many times an expired authorization is renewed before the order is cancelled. */
  maxReauthorizations: number;
}

const STANDARD: StagePolicy = {
  stepOrder: ['fraud', 'inventory', 'payment'],
  fraudSlaMs: 15 * MINUTE,
  manualReviewDeadlineMs: 24 * HOUR,
  reservationTtlMs: 30 * MINUTE,
  paymentSlaMs: 10 * MINUTE,
  authorizationValidityMs: 7 * DAY,
  deliveryWindowMs: 10 * DAY,
  returnWindowMs: 30 * DAY,
  highValueThresholdMinor: 100_000,
  lowRiskOnFraudTimeout: 'approve-with-flag',
  maxReReservations: 1,
  maxReauthorizations: 1,
};

export const DEFAULT_POLICIES: Readonly<Record<CustomerSegment, StagePolicy>> = {
  standard: STANDARD,
  // Known customers: hold the stock first so a popular item is not sold out under review.
  vip: {
    ...STANDARD,
    stepOrder: ['inventory', 'fraud', 'payment'],
    highValueThresholdMinor: 500_000,
  },
  // No history: never approve on a timeout.
  'new-customer': {
    ...STANDARD,
    lowRiskOnFraudTimeout: 'manual-review',
    highValueThresholdMinor: 50_000,
  },
};

/**
 * The segment whose policy is the most careful (never approves on a fraud timeout, the lowest
 * manual-review threshold): what a customer gets when their token does not say who they are.
 */
export const MOST_CAREFUL_SEGMENT: CustomerSegment = 'new-customer';

export type PolicySet = Readonly<Record<CustomerSegment, StagePolicy>>;

export class PolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid stage policy:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

const DURATION_FIELDS = [
  'fraudSlaMs',
  'manualReviewDeadlineMs',
  'reservationTtlMs',
  'paymentSlaMs',
  'authorizationValidityMs',
  'deliveryWindowMs',
  'returnWindowMs',
] as const;

/**
 * Applies overrides (parsed JSON: `{ "<segment>": { "<field>": value } }`, durations as "15m"
 * or milliseconds) to the defaults and validates the result.
 */
export function loadPolicies(
  overrides: unknown = {},
  defaults: PolicySet = DEFAULT_POLICIES,
): PolicySet {
  const problems: string[] = [];
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new PolicyError(['policy overrides must be an object keyed by customer segment']);
  }
  for (const segment of Object.keys(overrides)) {
    if (!CUSTOMER_SEGMENTS.includes(segment as CustomerSegment)) {
      problems.push(`${segment}: unknown segment (known: ${CUSTOMER_SEGMENTS.join(', ')})`);
    }
  }
  const result = {} as Record<CustomerSegment, StagePolicy>;
  for (const segment of CUSTOMER_SEGMENTS) {
    const override = (overrides as Record<string, unknown>)[segment] ?? {};
    if (typeof override !== 'object' || override === null) {
      problems.push(`${segment}: must be an object`);
      continue;
    }
    const merged: Record<string, unknown> = { ...defaults[segment] };
    for (const [field, value] of Object.entries(override)) {
      if (!(field in merged)) {
        problems.push(`${segment}.${field}: unknown field`);
        continue;
      }
      if ((DURATION_FIELDS as readonly string[]).includes(field) && typeof value === 'string') {
        try {
          merged[field] = parseDuration(value);
        } catch (error) {
          problems.push(`${segment}.${field}: ${(error as Error).message}`);
        }
        continue;
      }
      merged[field] = value;
    }
    problems.push(
      ...validatePolicy(merged as unknown as StagePolicy).map((p) => `${segment}.${p}`),
    );
    result[segment] = merged as unknown as StagePolicy;
  }
  if (problems.length > 0) throw new PolicyError(problems);
  return result;
}

export function validatePolicy(policy: StagePolicy): string[] {
  const problems: string[] = [];
  for (const field of DURATION_FIELDS) {
    const value = policy[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      problems.push(`${field}: a positive duration`);
    }
  }
  const order = policy.stepOrder;
  if (
    !Array.isArray(order) ||
    order.length !== HOLD_STEPS.length ||
    !HOLD_STEPS.every((step) => order.includes(step))
  ) {
    problems.push(`stepOrder: a permutation of ${HOLD_STEPS.join(', ')}`);
  } else if (order[order.length - 1] !== 'payment') {
    problems.push(
      'stepOrder: payment must come last (never authorize before the order can be kept)',
    );
  }
  if (!Number.isInteger(policy.highValueThresholdMinor) || policy.highValueThresholdMinor < 0) {
    problems.push('highValueThresholdMinor: a non-negative integer (minor units)');
  }
  if (!['manual-review', 'approve-with-flag'].includes(policy.lowRiskOnFraudTimeout)) {
    problems.push('lowRiskOnFraudTimeout: manual-review or approve-with-flag');
  }
  for (const field of ['maxReReservations', 'maxReauthorizations'] as const) {
    if (!Number.isInteger(policy[field]) || policy[field] < 0 || policy[field] > 5) {
      problems.push(`${field}: an integer from 0 to 5`);
    }
  }
  if (policy.reservationTtlMs <= policy.paymentSlaMs) {
    problems.push('reservationTtlMs: must exceed paymentSlaMs, or every hold expires while paying');
  }
  return problems;
}
