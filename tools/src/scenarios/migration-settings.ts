/**
 * The migration scenario's dials: how fast orders arrive, how long each phase holds, and the
 * promotion bar and the comparator's grace its own apps start with. Every stage is compared,
 * so every promotion has to clear the bar: none is let through with an override. Two forms: the
 * short one `npm test` runs, the full one `npm run scenario:migration` runs (its options
 * override these).
 */

export interface MigrationSettings {
  /** Orders placed per second through the facade, all through the migration. */
  ordersPerSecond: number;
  /** Distinct customers (the facade's door is sticky per customer). */
  customers: number;
  /** How long each step (shadow, a ramp share, 100 %, a rollback) holds under traffic at least. */
  phaseMs: number;
  /** The ramp shares a stage goes through between shadow and 100 %. */
  rampPercents: number[];
  /** PROMOTION_MIN_SAMPLE of the scenario's gateway: comparisons the bar is judged over. */
  promotionMinSample: number;
  /** COMPARATOR_GRACE_MS of the scenario's comparator. */
  comparatorGraceMs: number;
  /** How long a stage may take to clear the bar before the scenario gives up (a failed check). */
  barTimeoutMs: number;
  /** After the traffic stops, how long every order may take to reach a final state. */
  drainTimeoutMs: number;
}

/**
 * In `npm test`: a few minutes on a 2-core machine, with a small bar. The grace and the wait
 * for the bar are generous: on a loaded machine the mirror falls seconds behind, and a side
 * declared missing too early would hold the bar down for a reason that is not the platform's.
 */
export const SHORT_FORM: MigrationSettings = {
  ordersPerSecond: 1.5,
  customers: 40,
  phaseMs: 5_000,
  rampPercents: [50],
  promotionMinSample: 6,
  comparatorGraceMs: 30_000,
  barTimeoutMs: 120_000,
  drainTimeoutMs: 240_000,
};

/**
 * `npm run scenario:migration`: a longer walk with a larger sample and more ramp steps, at a rate
 * one worker and the dev server keep up with on 2 cores beside everything else (at 4 orders/s
 * the platform's workflows piled up by the thousand: docs/strangler.md).
 */
export const FULL_FORM: MigrationSettings = {
  ordersPerSecond: 1.2,
  customers: 200,
  phaseMs: 20_000,
  rampPercents: [10, 50],
  promotionMinSample: 50,
  comparatorGraceMs: 60_000,
  barTimeoutMs: 300_000,
  drainTimeoutMs: 300_000,
};

/** The settings the scenario's own apps start with (the rest are the stack's). */
export function migrationAppEnv(settings: MigrationSettings) {
  return {
    gateway: {
      PROMOTION_MIN_SAMPLE: String(settings.promotionMinSample),
      // The scenario's traffic comes from a few customers through one facade.
      RATE_LIMIT_ORDERS_BURST: '1000',
      RATE_LIMIT_ORDERS_PER_MINUTE: '6000',
    },
    legacyAdapter: {
      COMPARATOR_GRACE_MS: String(settings.comparatorGraceMs),
      HANDOVER_SYNC: 'on',
      HANDOVER_SYNC_INTERVAL_MS: '200',
    },
    facade: { FACADE_ROUTE_CACHE_MS: '200' },
  };
}
