import {
  DEFAULT_DEGRADED_MODE,
  type DegradedModeConfig,
  fraudRouteFor,
  nextDegradedState,
  validateDegradedMode,
} from './degraded-mode';
import { DEFAULT_POLICIES } from './policy';

const config: DegradedModeConfig = {
  ...DEFAULT_DEGRADED_MODE,
  enterWhen: { overdueCount: 10, overdueShare: 0.3 },
  exitWhen: { overdueCount: 2, overdueShare: 0.1 },
  minWaiting: 5,
  fraudTargetMs: 60_000,
  minActiveMs: 30_000,
};
const off = { active: false, forMs: 0 };
const onFor = (forMs: number) => ({ active: true, forMs });

describe('the fraud-backlog degraded mode', () => {
  it('switches on when the overdue count or the overdue share passes its threshold', () => {
    expect(nextDegradedState(config, off, { waiting: 100, overdue: 10 }).active).toBe(true);
    expect(nextDegradedState(config, off, { waiting: 6, overdue: 2 }).active).toBe(true);
    expect(nextDegradedState(config, off, { waiting: 100, overdue: 9 }).active).toBe(false);
  });

  it('does not judge the share on a handful of orders', () => {
    expect(nextDegradedState(config, off, { waiting: 2, overdue: 2 }).active).toBe(false);
  });

  it('stays on until both the count and the share are back below the exit thresholds', () => {
    expect(nextDegradedState(config, onFor(60_000), { waiting: 100, overdue: 9 }).active).toBe(
      true,
    );
    expect(nextDegradedState(config, onFor(60_000), { waiting: 10, overdue: 2 }).active).toBe(true);
    expect(nextDegradedState(config, onFor(60_000), { waiting: 30, overdue: 2 }).active).toBe(
      false,
    );
    expect(nextDegradedState(config, onFor(60_000), { waiting: 0, overdue: 0 }).active).toBe(false);
  });

  it('says in the audit what it measured and the threshold it compared with', () => {
    const { reason } = nextDegradedState(config, off, { waiting: 40, overdue: 12 });
    expect(reason).toBe(
      '12 of 40 fraud decisions waiting past the 60 s target (30%); enters at 10 or 30%',
    );
  });

  it('stays on for its minimum time, even when the stage has drained', () => {
    expect(nextDegradedState(config, onFor(10_000), { waiting: 0, overdue: 0 }).active).toBe(true);
  });

  it('is never on while disabled', () => {
    const disabled = { ...config, enabled: false };
    expect(nextDegradedState(disabled, onFor(60_000), { waiting: 100, overdue: 100 }).active).toBe(
      false,
    );
  });
});

describe('the fraud route an order takes at decision time', () => {
  const on = { active: true, config };
  const standard = DEFAULT_POLICIES.standard;

  it('screens with the segment SLA while the mode is off', () => {
    expect(
      fraudRouteFor({ segment: 'standard', totalMinor: 1_000 }, standard, {
        active: false,
        config,
      }),
    ).toEqual({ route: 'screen', fraudSlaMs: standard.fraudSlaMs, mode: null });
  });

  it('sends high value straight to manual review', () => {
    const route = fraudRouteFor({ segment: 'vip', totalMinor: 600_000 }, DEFAULT_POLICIES.vip, on);
    expect(route).toEqual({ route: 'manual-review', mode: 'fraud-backlog' });
  });

  it('approves low-risk segments below high value with a review flag', () => {
    const route = fraudRouteFor({ segment: 'standard', totalMinor: 5_000 }, standard, on);
    expect(route).toEqual({ route: 'approve-with-flag', mode: 'fraud-backlog' });
  });

  it('lets high-risk segments wait longer for the provider, so payment comes later', () => {
    const route = fraudRouteFor(
      { segment: 'new-customer', totalMinor: 5_000 },
      DEFAULT_POLICIES['new-customer'],
      on,
    );
    expect(route).toEqual({
      route: 'screen',
      fraudSlaMs: config.deferredFraudSlaMs,
      mode: 'fraud-backlog',
    });
  });
});

describe('a degraded mode configuration', () => {
  it('is valid by default', () => {
    expect(validateDegradedMode(DEFAULT_DEGRADED_MODE)).toEqual([]);
  });

  it('names each bad field', () => {
    expect(
      validateDegradedMode({
        ...config,
        exitWhen: { overdueCount: 20, overdueShare: 1.5 },
        minWaiting: 0,
        deferPaymentSegments: ['standard', 'gold' as never],
      }),
    ).toEqual([
      'exitWhen.overdueShare: a share from 0 to 1',
      'exitWhen: must be below enterWhen, or the mode flaps at the edge',
      'minWaiting: a positive integer',
      'deferPaymentSegments: unknown segment gold',
      'deferPaymentSegments: standard cannot be low and high risk at once',
    ]);
  });
});
