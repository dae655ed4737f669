import { lifecycleEvent } from './events';
import { legacyEvent } from './legacy-events';
import { legacyFactProblem, orderEventProblem } from './event-contract';

const placed = legacyEvent('L-1', 'LegacyOrderPlaced', '2026-11-29T10:00:00.000Z', {
  customerId: 'c-1',
  lines: [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: 500 }],
  totalMinor: 1_000,
  currency: 'EUR',
  expedited: false,
});

describe('the fact contract consumers check', () => {
  it('accepts what the mirror and the workflows publish', () => {
    expect(legacyFactProblem(placed)).toBeUndefined();
    expect(orderEventProblem(placed)).toBeUndefined();
    const accepted = lifecycleEvent('o-1', 3, 'OrderAccepted', '2026-11-29T10:00:00.000Z');
    expect(orderEventProblem(accepted)).toBeUndefined();
  });

  it('refuses a fact whose event id is missing, empty or not derived from its order and fact', () => {
    expect(legacyFactProblem({ ...placed, eventId: undefined })).toBe('no event id');
    expect(legacyFactProblem({ ...placed, eventId: '' })).toBe('no event id');
    expect(
      legacyFactProblem({ ...placed, eventId: 'legacy-monolith:L-2:LegacyOrderPlaced' }),
    ).toMatch(/not the derived "legacy-monolith:L-1:LegacyOrderPlaced"/);
    const accepted = lifecycleEvent('o-1', 3, 'OrderAccepted', '2026-11-29T10:00:00.000Z');
    expect(orderEventProblem({ ...accepted, eventId: 'order-workflow:o-1:4' })).toBe(
      'eventId: "order-workflow:o-1:4", not the derived "order-workflow:o-1:3"',
    );
  });

  it('refuses what is not an envelope, an unknown fact type, or a placement without lines', () => {
    expect([null, [], 'text', 42].map(legacyFactProblem)).toEqual(
      Array(4).fill('not an event envelope (an object)'),
    );
    expect(legacyFactProblem({ ...placed, eventType: 'LegacyOrderTeleported' })).toMatch(
      /is no legacy fact type/,
    );
    expect(legacyFactProblem({ ...placed, payload: { ...placed.payload, lines: [] } })).toBe(
      'payload.lines: not a non-empty list of lines',
    );
    expect(
      legacyFactProblem({
        ...placed,
        payload: { ...placed.payload, lines: [{ sku: 'S', quantity: -1 }] },
      }),
    ).toMatch(/quantity: not a positive whole number/);
    expect(legacyFactProblem({ ...placed, occurredAt: 'yesterday' })).toBe(
      'occurredAt is not a time',
    );
    expect(legacyFactProblem({ ...placed, orderId: 'L'.repeat(201) })).toMatch(/longer than 200/);
    expect(legacyFactProblem({ ...placed, source: 'order-workflow' })).toMatch(
      /^source: not one of/,
    );
    expect(
      legacyFactProblem({ ...placed, payload: { ...placed.payload, handedOver: ['payment'] } }),
    ).toBeUndefined();
    expect(
      legacyFactProblem({ ...placed, payload: { ...placed.payload, handedOver: ['billing'] } }),
    ).toMatch(/handedOver: not a list of stages/);
  });
});
