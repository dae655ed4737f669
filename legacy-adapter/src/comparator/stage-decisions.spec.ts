import { legacyEvent, lifecycleEvent } from '@order-platform/domain';
import { legacyDecision, newDecision, verdict } from './stage-decisions';

const at = '2026-11-23T10:00:00.000Z';
const now = new Date(at);

describe('comparing what the monolith and the workflow decided, stage by stage', () => {
  it('normalises away volatile ids and wording: the same decision compares equal', () => {
    const legacy = legacyDecision(
      legacyEvent('L-1', 'LegacyPaymentAuthorized', at, {
        authorizationId: 'auth-legacy-77',
        amountMinor: 2500,
        currency: 'EUR',
      }),
    )!;
    const fresh = newDecision(
      lifecycleEvent('L-1', 4, 'PaymentAuthorized', at, {
        authorizationId: 'pay-9f2c',
        amountMinor: 2500,
        expiresAt: at,
      }),
    )!;
    expect(legacy.stage).toBe('payment');
    expect(verdict('payment', legacy.decision, fresh.decision, [], now)).toEqual({
      outcome: 'match',
      differences: [],
      excusedBy: [],
    });
  });

  it('names the field that differs, with both values', () => {
    const legacy = legacyDecision(
      legacyEvent('L-2', 'LegacyFraudDecided', at, {
        decision: 'reject',
        decidedBy: 'rules',
        score: 80,
      }),
    )!;
    const fresh = newDecision(
      lifecycleEvent('L-2', 3, 'FraudApproved', at, { decidedBy: 'provider' }),
    )!;
    expect(verdict('fraud', legacy.decision, fresh.decision, [], now)).toEqual({
      outcome: 'mismatch',
      differences: [{ field: 'decision', legacy: 'reject', new: 'approve' }],
      excusedBy: [],
    });
  });

  it('lets a live ignore rule excuse a known difference, and an expired one excuse nothing', () => {
    const rule = {
      id: '7',
      stage: 'payment' as const,
      field: 'amountMinor',
      reason: 'the monolith adds shipping to the authorization',
      owner: 'payments-team',
      expiresAt: new Date('2026-12-31T00:00:00Z'),
    };
    const legacy = { authorized: true, amountMinor: 2990 };
    const fresh = { authorized: true, amountMinor: 2500 };
    expect(verdict('payment', legacy, fresh, [rule], now).excusedBy).toEqual(['7']);
    expect(
      verdict('payment', legacy, fresh, [{ ...rule, expiresAt: new Date('2026-01-01') }], now)
        .excusedBy,
    ).toEqual([]);
    // A rule for another stage or another field does not apply.
    expect(
      verdict('payment', legacy, { ...fresh, authorized: false }, [rule], now).excusedBy,
    ).toEqual([]);
  });

  it('ignores facts that record no stage decision', () => {
    expect(legacyDecision(legacyEvent('L-3', 'LegacyOrderAccepted', at, {}))).toBeUndefined();
    expect(
      newDecision(lifecycleEvent('L-3', 9, 'OrderRejected', at, { reason: 'OutOfStock' })),
    ).toBeUndefined();
    expect(
      newDecision(lifecycleEvent('L-3', 9, 'OrderRejected', at, { reason: 'FraudRejected' })),
    ).toMatchObject({
      stage: 'fraud',
      decision: { decision: 'reject' },
    });
  });

  it('compares notifications per kind: what the monolith told against what the platform told or would tell', () => {
    const told = (kind: 'confirmed' | 'shipped', sentBy: 'monolith' | 'platform' = 'monolith') =>
      legacyDecision(legacyEvent('L-4', 'LegacyCustomerNotified', at, { kind, sentBy }))!;
    const decided = (decision: Record<string, unknown>, acted = false) =>
      newDecision(
        lifecycleEvent('L-4', 12, 'StageDecided', at, { stage: 'notification', decision, acted }),
      );
    expect(told('shipped')).toMatchObject({
      stage: 'notification',
      subject: 'shipped',
      decision: { kind: 'shipped', notified: true },
    });
    const wouldTell = decided({ kind: 'shipped', notified: true })!;
    expect(wouldTell).toMatchObject({ stage: 'notification', subject: 'shipped' });
    expect(verdict('notification', told('shipped').decision, wouldTell.decision, [], now)).toEqual({
      outcome: 'match',
      differences: [],
      excusedBy: [],
    });
    // Who sent it is not compared: under new the monolith records what the platform sent.
    expect(told('shipped', 'platform').decision).toEqual(told('shipped').decision);
    // Another kind is another comparison of the same order and stage.
    expect(told('confirmed').subject).toBe('confirmed');
    // A kind the monolith never sends, or a decision without a kind, is nothing to compare.
    expect(decided({ kind: 'refunded', notified: true })).toBeUndefined();
    expect(decided({ notified: true })).toBeUndefined();
    // Every other stage is compared once per order.
    expect(
      legacyDecision(
        legacyEvent('L-4', 'LegacyFraudDecided', at, {
          decision: 'approve',
          decidedBy: 'rules',
          score: 1,
        }),
      )!.subject,
    ).toBe('');
  });
});
