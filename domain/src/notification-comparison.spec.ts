import { legacyEvent, legacyEventId } from './legacy-events';
import { legacyFactViolations } from './legacy-fact-contract';
import {
  comparisonSubject,
  isComparedNotificationKind,
  notificationDecision,
} from './notification-comparison';

const at = '2026-11-29T10:00:00.000Z';

describe('comparing the notification stage, once per order and kind', () => {
  it('gives each kind its own comparison and every other stage one per order', () => {
    expect(comparisonSubject('notification', notificationDecision('shipped'))).toBe('shipped');
    expect(comparisonSubject('notification', notificationDecision('cancelled'))).toBe('cancelled');
    expect(comparisonSubject('fraud', { decision: 'approve' })).toBe('');
    expect(comparisonSubject('payment', { authorized: true, amountMinor: 2500 })).toBe('');
  });

  it('compares nothing for a kind the monolith never sends (returns, delays) or no kind', () => {
    expect(comparisonSubject('notification', { kind: 'refunded', notified: true })).toBeUndefined();
    expect(comparisonSubject('notification', { kind: 'delayed', notified: true })).toBeUndefined();
    expect(comparisonSubject('notification', { notified: true })).toBeUndefined();
    expect(isComparedNotificationKind('delivered')).toBe(true);
    expect(isComparedNotificationKind('DELIVERED')).toBe(false);
  });

  it('decides the same fields on both sides, whoever sent it: equal decisions match', () => {
    expect(notificationDecision('confirmed')).toEqual({ kind: 'confirmed', notified: true });
  });

  it('gives the monolith one fact per order and kind: a repeat has the same id, another kind not', () => {
    const shipped = legacyEvent('L-1', 'LegacyCustomerNotified', at, {
      kind: 'shipped',
      sentBy: 'monolith',
    });
    const again = legacyEvent('L-1', 'LegacyCustomerNotified', '2026-11-29T11:00:00.000Z', {
      kind: 'shipped',
      sentBy: 'monolith',
    });
    const delivered = legacyEvent('L-1', 'LegacyCustomerNotified', at, {
      kind: 'delivered',
      sentBy: 'platform',
    });
    expect(shipped.eventId).toBe('legacy-monolith:L-1:LegacyCustomerNotified:shipped');
    expect(again.eventId).toBe(shipped.eventId);
    expect(delivered.eventId).not.toBe(shipped.eventId);
    // Facts of which an order has one keep their ids.
    expect(legacyEventId('L-1', 'LegacyOrderShipped')).toBe(
      'legacy-monolith:L-1:LegacyOrderShipped',
    );
  });

  it('holds a notification fact to the contract: its kind, who sent it, and its id per kind', () => {
    const fact = legacyEvent('L-1', 'LegacyCustomerNotified', at, {
      kind: 'confirmed',
      sentBy: 'platform',
    });
    expect(legacyFactViolations(fact)).toEqual([]);
    expect(
      legacyFactViolations({
        ...fact,
        eventId: 'legacy-monolith:L-1:LegacyCustomerNotified',
        payload: { kind: 'CONFIRMED', sentBy: 'email', channel: 'sms' },
      }),
    ).toEqual([
      'eventId: "legacy-monolith:L-1:LegacyCustomerNotified", not the derived "legacy-monolith:L-1:LegacyCustomerNotified:CONFIRMED" (a replay must repeat it)',
      'payload.kind: not one of "confirmed", "rejected", "shipped", "delivered", "cancelled" (got "CONFIRMED")',
      'payload.sentBy: not one of "monolith", "platform" (got "email")',
      'payload.channel: not a field of LegacyCustomerNotified',
    ]);
  });
});
