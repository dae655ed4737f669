/**
 * The Black Friday scenario's world dials: how many customers order how fast, how the fraud
 * provider's latency climbs past its SLA, the degraded mode's thresholds, the admission bound,
 * and the settings the apps under test start with. Two forms: the short one `npm test` runs,
 * the full one `npm run scenario:black-friday` runs.
 */
import {
  DEFAULT_DEGRADED_MODE,
  type DegradedModeConfig,
  reconciliationMinimumGrace,
} from '@order-platform/domain';

export interface ScenarioSettings {
  orders: number;
  customers: number;
  /** Customers submitting at the same time. */
  concurrency: number;
  fraudSlaMs: number;
  /** The fraud provider's latency, step by step, each held `stepMs`; then back to 0. */
  latencySteps: number[];
  stepMs: number;
  degradedMode: DegradedModeConfig;
  /** What the gateway admits before it sheds (ADMISSION_MAX_PENDING). */
  admissionMaxPending: number;
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
  fraudSlaMs: 4_000,
  latencySteps: [1_000, 6_000, 15_000],
  stepMs: 7_000,
  degradedMode: degradedFor(4_000, 8),
  admissionMaxPending: 12,
  drainTimeoutMs: 120_000,
  gatewayMemoryCapBytes: 512 * 1024 * 1024,
};

/** `npm run scenario:black-friday`: several minutes. */
export const FULL_FORM: ScenarioSettings = {
  orders: 600,
  customers: 150,
  concurrency: 24,
  fraudSlaMs: 10_000,
  latencySteps: [2_000, 8_000, 20_000, 40_000],
  stepMs: 20_000,
  degradedMode: degradedFor(10_000, 20),
  admissionMaxPending: 60,
  drainTimeoutMs: 300_000,
  gatewayMemoryCapBytes: 768 * 1024 * 1024,
};

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

/** The apps' settings the scenario needs: short SLAs, a fast monitor, a small admission bound. */
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
      ADMISSION_MAX_PENDING: String(settings.admissionMaxPending),
      ADMISSION_MAX_PENDING_EXPEDITED: String(settings.admissionMaxPending * 2),
      ADMISSION_SAMPLE_MS: '500',
      RATE_LIMIT_ORDERS_BURST: '100',
      RATE_LIMIT_ORDERS_PER_MINUTE: '600',
      BACKLOG_SAMPLE_MS: '1000',
    },
  };
}
