import { HOUR, MINUTE } from './durations';
import { CUSTOMER_SEGMENTS } from './order';
import { DEFAULT_POLICIES, loadPolicies, MOST_CAREFUL_SEGMENT, PolicyError } from './policy';

describe('stage policies', () => {
  it('defaults to the stage table: fraud SLA 15 min, review 24 h, reservation 30 min, authorization 7 days', () => {
    const { standard } = loadPolicies();
    expect(standard).toMatchObject({
      fraudSlaMs: 15 * MINUTE,
      manualReviewDeadlineMs: 24 * HOUR,
      reservationTtlMs: 30 * MINUTE,
      authorizationValidityMs: 7 * 24 * HOUR,
      stepOrder: ['fraud', 'inventory', 'payment'],
    });
    expect(DEFAULT_POLICIES.vip.stepOrder).toEqual(['inventory', 'fraud', 'payment']);
  });

  it('takes overrides written for people, per segment, and leaves the rest alone', () => {
    const policies = loadPolicies({
      standard: { fraudSlaMs: '5m', highValueThresholdMinor: 20_000 },
    });
    expect(policies.standard.fraudSlaMs).toBe(5 * MINUTE);
    expect(policies.standard.highValueThresholdMinor).toBe(20_000);
    expect(policies.vip).toEqual(DEFAULT_POLICIES.vip);
  });

  it('refuses a bad override with every problem named by its path', () => {
    let error: unknown;
    try {
      loadPolicies({
        standard: {
          fraudSlaMs: 'soon',
          stepOrder: ['payment', 'fraud', 'inventory'],
          colour: 'red',
        },
        gold: {},
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).problems).toEqual([
      'gold: unknown segment (known: standard, vip, new-customer)',
      'standard.fraudSlaMs: "soon" is not a duration (examples: 500ms, 30s, 15m, 24h, 7d)',
      'standard.colour: unknown field',
      'standard.stepOrder: payment must come last (never authorize before the order can be kept)',
    ]);
  });

  it('refuses a reservation that would lapse before payment can be taken', () => {
    expect(() =>
      loadPolicies({ standard: { reservationTtlMs: '5m', paymentSlaMs: '10m' } }),
    ).toThrow(/reservationTtlMs: must exceed paymentSlaMs/);
  });

  it('names as most careful the segment no other out-does: no approval on a fraud timeout, the lowest review threshold', () => {
    const careful = DEFAULT_POLICIES[MOST_CAREFUL_SEGMENT];
    expect(careful.lowRiskOnFraudTimeout).toBe('manual-review');
    for (const segment of CUSTOMER_SEGMENTS) {
      expect(careful.highValueThresholdMinor).toBeLessThanOrEqual(
        DEFAULT_POLICIES[segment].highValueThresholdMinor,
      );
    }
  });
});
