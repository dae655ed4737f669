/**
 * The Black Friday scenario's world dials: how many customers order how fast, how the fraud
 * provider's latency climbs past its SLA, the degraded mode's thresholds, the admission bound,
 * and the settings the apps under test start with. Two forms: the short one `npm test` runs,
 * the full one `npm run scenario:black-friday` runs (its size and duration are options).
 */
import {
  DEFAULT_DEGRADED_MODE,
  type DegradedModeConfig,
  reconciliationMinimumGrace,
} from '@order-platform/domain';

export interface ScenarioSettings {
  orders: number;
  customers: number;
  /** Customers submitting at the same time, when the orders are not spread over a duration. */
  concurrency: number;
  /**
   * The orders offered evenly over this long: each customer arrives on time, whether or not the
   * platform has answered the ones before (an open loop, as on the day). Null: `concurrency`
   * customers at a time, each taking the next order once answered.
   */
  offerOverMs: number | null;
  fraudSlaMs: number;
  /** The fraud provider's latency, step by step, each held `stepMs`; then back to 0. */
  latencySteps: number[];
  stepMs: number;
  degradedMode: DegradedModeConfig;
  /**
   * What the gateway admits before it sheds (ADMISSION_MAX_PENDING), set small so that it must
   * shed; null: the platform's default admission settings, under which shedding is allowed, not
   * required.
   */
  admissionMaxPending: number | null;
  /** The largest share of customers who may give up after three 429s; null: reported only. */
  maxGaveUpShare: number | null;
  /** After recovery, how long the backlog may take to drain before the scenario fails. */
  drainTimeoutMs: number;
  /** Peak resident memory of the gateway that counts as bounded. */
  gatewayMemoryCapBytes: number;
}

const degradedFor = (fraudSlaMs: number, enterCount: number): DegradedModeConfig => ({
  ...DEFAULT_DEGRADED_MODE,
  fraudTargetMs: Math.round(fraudSlaMs / 3),
  enterWhen: { overdueCount: enterCount, overdueShare: 0.5 },
  exitWhen: { overdueCount: 1, overdueShare: 0.1 },
  minWaiting: 5,
  minActiveMs: 15_000,
  deferredFraudSlaMs: 60_000,
});

/** In `npm test`: about two minutes on a 2-core machine. */
export const SHORT_FORM: ScenarioSettings = {
  orders: 90,
  customers: 30,
  concurrency: 12,
  offerOverMs: null,
  fraudSlaMs: 4_000,
  latencySteps: [1_000, 6_000, 15_000],
  stepMs: 7_000,
  degradedMode: degradedFor(4_000, 8),
  admissionMaxPending: 12,
  maxGaveUpShare: null,
  drainTimeoutMs: 120_000,
  gatewayMemoryCapBytes: 512 * 1024 * 1024,
};

/** The fraud provider's latency climbs in these steps over the offering, then recovers. */
const FULL_FORM_LATENCY_STEPS = [2_000, 8_000, 20_000, 40_000];

/**
 * `npm run scenario:black-friday [-- --orders N --minutes M]`: N orders (default 3,000) offered
 * evenly over M minutes (default 10) by a customer for every five orders, with the platform's
 * default admission settings; the provider's latency climbs in four equal steps over the
 * offering. At most 10 % of customers may give up (issue 16).
 */
export function fullForm(load: { orders?: number; minutes?: number } = {}): ScenarioSettings {
  const orders = load.orders ?? 3_000;
  const minutes = load.minutes ?? 10;
  if (!Number.isInteger(orders) || orders < 10)
    throw new Error(`--orders must be a whole number of at least 10, got ${orders}`);
  if (!(minutes > 0 && minutes <= 24 * 60))
    throw new Error(`--minutes must be more than 0 and at most a day, got ${minutes}`);
  const offerOverMs = Math.round(minutes * 60_000);
  return {
    orders,
    customers: Math.max(1, Math.round(orders / 5)),
    concurrency: 24,
    offerOverMs,
    fraudSlaMs: 10_000,
    latencySteps: FULL_FORM_LATENCY_STEPS,
    stepMs: Math.round(offerOverMs / FULL_FORM_LATENCY_STEPS.length),
    degradedMode: degradedFor(10_000, 20),
    admissionMaxPending: null,
    maxGaveUpShare: 0.1,
    drainTimeoutMs: 300_000,
    gatewayMemoryCapBytes: 768 * 1024 * 1024,
  };
}

/** `--orders` and `--minutes` as given on the command line (absent: the full form's defaults). */
export function loadOptions(options: { orders?: string; minutes?: string }): {
  orders?: number;
  minutes?: number;
} {
  const number = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value))
      throw new Error(`--${name} must be a number, got '${text}'`);
    return value;
  };
  return { orders: number('orders', options.orders), minutes: number('minutes', options.minutes) };
}

/** Every segment's payment SLA in the scenario (both forms). */
const PAYMENT_SLA_MS = 15_000;

/**
 * How old an authorization must be before reconciliation judges it, with the scenario's short
 * payment SLA (the worker derives the same from its configuration; the reservation minimum
 * follows the reserve call's fixed retry budget, about 6.5 min, longer than the scenario).
 */
export const AUTHORIZATION_GRACE_MS = reconciliationMinimumGrace(
  { all: { paymentSlaMs: PAYMENT_SLA_MS } },
  0,
).authorizationMs;

/** The apps' settings the scenario needs: short SLAs, a fast monitor, the admission bound if any. */
export function scenarioAppEnv(settings: ScenarioSettings) {
  const policy = {
    fraudSlaMs: settings.fraudSlaMs,
    reservationTtlMs: '45s',
    paymentSlaMs: PAYMENT_SLA_MS,
    manualReviewDeadlineMs: '30m',
    authorizationValidityMs: '30m',
  };
  return {
    worker: {
      STAGE_POLICY_OVERRIDES: JSON.stringify({
        standard: policy,
        vip: policy,
        'new-customer': policy,
      }),
      BACKLOG_MONITOR_INTERVAL_MS: '500',
    },
    gateway: {
      // A small bound, and a per-customer rate its few customers stay under; otherwise the
      // platform's defaults (docs/configuration.md), as customers would meet them.
      ...(settings.admissionMaxPending === null
        ? {}
        : {
            ADMISSION_MAX_PENDING: String(settings.admissionMaxPending),
            ADMISSION_MAX_PENDING_EXPEDITED: String(settings.admissionMaxPending * 2),
            ADMISSION_SAMPLE_MS: '500',
            RATE_LIMIT_ORDERS_BURST: '100',
            RATE_LIMIT_ORDERS_PER_MINUTE: '600',
          }),
      BACKLOG_SAMPLE_MS: '1000',
    },
  };
}
