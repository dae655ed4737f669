import {
  eventsFromNotificationChange,
  eventsFromOrderChange,
  eventsFromOutbox,
  eventsFromPaymentChange,
} from './legacy-mapping';

const at = '2026-11-23T10:00:00.000Z';
const accepted = {
  order_id: 'L-1',
  customer_id: 'c-1',
  status: 'ACCEPTED',
  fraud_decision: 'APPROVED',
  fraud_decided_by: 'rules',
  fraud_score: 12,
  total_cents: '2500',
  currency: 'EUR',
  payment_auth_id: 'auth-1',
  expedited: false,
};
const lines = [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: 1250 }];

describe('the anti-corruption mapping of the monolith', () => {
  it('turns a notification row into what the customer was told, one id per order and kind', () => {
    const told = (row: Record<string, unknown>) =>
      eventsFromNotificationChange({
        notification: { order_id: 'L-1', kind: 'shipped', sent_by: 'monolith', ...row },
        committedAt: at,
      });
    expect(told({})).toEqual({
      events: [
        expect.objectContaining({
          eventId: 'legacy-monolith:L-1:LegacyCustomerNotified:shipped',
          eventType: 'LegacyCustomerNotified',
          occurredAt: at,
          payload: { kind: 'shipped', sentBy: 'monolith' },
        }),
      ],
    });
    // Recorded for the platform (notification handed over): the same fact, who sent it said.
    expect(told({ sent_by: 'platform', reference: 'notify-shipped' })).toMatchObject({
      events: [{ payload: { kind: 'shipped', sentBy: 'platform' } }],
    });
    expect(told({ kind: 'postcard' })).toEqual({
      unmappable: 'notification kind: unknown value "postcard"',
    });
    expect(told({ sent_by: null })).toEqual({
      unmappable: 'notification sent by: unknown value null',
    });
    expect(
      eventsFromOutbox({
        id: '9',
        aggregate_id: 'L-1',
        event_type: 'CustomerNotified',
        payload: { orderId: 'L-1', kind: 'shipped', sentBy: 'monolith', reference: null },
        occurred_at: new Date(at),
      }),
    ).toEqual(told({}));
  });

  it('turns an order accepted in one transaction into the facts of each stage, in lifecycle order', () => {
    const mapped = eventsFromOrderChange({
      kind: 'insert',
      order: accepted,
      lines,
      committedAt: at,
    });
    if (!('events' in mapped)) throw new Error(mapped.unmappable);
    expect(mapped.events.map((e) => [e.eventType, e.sequence])).toEqual([
      ['LegacyOrderPlaced', 1],
      ['LegacyFraudDecided', 2],
      ['LegacyStockReserved', 3],
      ['LegacyOrderAccepted', 5],
    ]);
    expect(mapped.events[0]).toMatchObject({
      eventId: 'legacy-monolith:L-1:LegacyOrderPlaced',
      orderId: 'L-1',
      source: 'legacy-monolith',
      occurredAt: at,
      payload: { customerId: 'c-1', totalMinor: 2500, currency: 'EUR', lines },
    });
    expect(mapped.events[1]!.payload).toEqual({
      decision: 'approve',
      decidedBy: 'rules',
      score: 12,
    });
  });

  it('gives the same fact the same id from the transaction log and from the outbox', () => {
    const fromLog = eventsFromPaymentChange({
      kind: 'insert',
      payment: {
        auth_id: 'auth-1',
        order_id: 'L-1',
        status: 'AUTHORIZED',
        amount_cents: '2500',
        currency: 'EUR',
      },
      committedAt: at,
    });
    const fromOutbox = eventsFromOutbox({
      id: '7',
      aggregate_id: 'L-1',
      event_type: 'PaymentAuthorized',
      payload: { orderId: 'L-1', authId: 'auth-1', amountCents: 2500, currency: 'EUR' },
      occurred_at: new Date(at),
    });
    expect(fromLog).toEqual(fromOutbox);
  });

  it('refuses to guess: unknown types, bad amounts and bad currencies are unmappable, with the reason', () => {
    const outbox = (event_type: string, payload: Record<string, unknown>) =>
      eventsFromOutbox({
        id: '1',
        aggregate_id: 'L-1',
        event_type,
        payload,
        occurred_at: new Date(at),
      });
    expect(outbox('OrderTeleported', {})).toEqual({
      unmappable: 'event type OrderTeleported: unknown to the mapping',
    });
    expect(outbox('PaymentAuthorized', { authId: 'a', amountCents: -5, currency: 'EUR' })).toEqual({
      unmappable: 'amountCents: not a non-negative whole amount',
    });
    expect(
      eventsFromOrderChange({
        kind: 'insert',
        order: { ...accepted, currency: 'euro' },
        lines,
        committedAt: at,
      }),
    ).toEqual({ unmappable: 'currency: not an ISO 4217 code' });
  });

  it('says which stages an order handed over, and follows it through the platform’s outcomes', () => {
    const placed = { ...accepted, status: 'PENDING_STOCK', payment_auth_id: null };
    const fromLog = eventsFromOrderChange({
      kind: 'insert',
      order: { ...placed, handed_over: '{inventory,payment}' },
      lines,
      committedAt: at,
    });
    const fromOutbox = eventsFromOutbox({
      id: '8',
      aggregate_id: 'L-1',
      event_type: 'OrderPlaced',
      payload: {
        customerId: 'c-1',
        lines,
        totalCents: 2500,
        currency: 'EUR',
        handedOver: ['inventory', 'payment'],
      },
      occurred_at: new Date(at),
    });
    for (const mapped of [fromLog, fromOutbox]) {
      if (!('events' in mapped)) throw new Error(mapped.unmappable);
      expect(mapped.events[0]!.payload).toMatchObject({ handedOver: ['inventory', 'payment'] });
    }
    if (!('events' in fromLog)) throw new Error(fromLog.unmappable);
    expect(fromLog.events.map((e) => e.eventType)).toEqual([
      'LegacyOrderPlaced',
      'LegacyFraudDecided',
    ]);
    const recorded = eventsFromOrderChange({
      kind: 'update',
      order: { ...placed, status: 'PENDING_PAYMENT', stock_held_by: 'platform' },
      lines,
      committedAt: at,
    });
    if (!('events' in recorded)) throw new Error(recorded.unmappable);
    expect(recorded.events.map((e) => e.eventType)).toEqual([
      'LegacyFraudDecided',
      'LegacyStockReserved',
    ]);
    // Cancelled while the platform held the stock: the monolith released none of it.
    const cancelled = eventsFromOrderChange({
      kind: 'update',
      order: { ...accepted, status: 'CANCELLED', stock_held_by: 'platform' },
      lines,
      committedAt: at,
    });
    if (!('events' in cancelled)) throw new Error(cancelled.unmappable);
    expect(cancelled.events.map((e) => e.eventType)).toEqual(['LegacyOrderCancelled']);
    // Without the column (a row from before hand-over), an accepted order held its stock.
    const older = eventsFromOrderChange({
      kind: 'update',
      order: { ...accepted, status: 'CANCELLED' },
      lines,
      committedAt: at,
    });
    if (!('events' in older)) throw new Error(older.unmappable);
    expect(older.events.map((e) => e.eventType)).toEqual([
      'LegacyOrderCancelled',
      'LegacyStockReleased',
    ]);
    expect(
      eventsFromOrderChange({
        kind: 'insert',
        order: { ...placed, handed_over: '{inventory,billing}' },
        lines,
        committedAt: at,
      }),
    ).toEqual({ unmappable: expect.stringContaining('handed over') });
  });
});
