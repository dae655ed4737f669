import { CONTRACTED_LEGACY_FACT_TYPES, legacyFactViolations } from './legacy-fact-contract';
import { LEGACY_FACT_TYPES, legacyEvent } from './legacy-events';

const at = '2026-11-02T09:00:00.000Z';
const placed = legacyEvent('L-1', 'LegacyOrderPlaced', at, {
  customerId: 'c-1',
  lines: [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: 1250 }],
  totalMinor: 2500,
  currency: 'EUR',
  expedited: false,
});

describe('the legacy fact contract at run time', () => {
  it('knows the payload of every legacy fact type', () => {
    expect([...CONTRACTED_LEGACY_FACT_TYPES].sort()).toEqual([...LEGACY_FACT_TYPES].sort());
  });

  it('passes a fact made by legacyEvent with a right payload', () => {
    expect(legacyFactViolations(placed)).toEqual([]);
    expect(legacyFactViolations(legacyEvent('L-1', 'LegacyOrderAccepted', at, {}))).toEqual([]);
  });

  it('names every field a mapping got wrong', () => {
    expect(
      legacyFactViolations({
        ...placed,
        eventId: 'legacy-monolith:L-1:1700000000',
        sequence: 3,
        occurredAt: '2 Nov 2026',
        payload: {
          ...placed.payload,
          totalMinor: 25.0001,
          currency: 'eur',
          lines: [{ sku: '', quantity: 0 }],
          shipping: 'express',
        },
      }),
    ).toEqual([
      'eventId: "legacy-monolith:L-1:1700000000", not the derived "legacy-monolith:L-1:LegacyOrderPlaced" (a replay must repeat it)',
      'sequence: not one of 1 (got 3)',
      'occurredAt: not an ISO 8601 UTC timestamp (got "2 Nov 2026")',
      'payload.lines[0].sku: not a non-empty string',
      'payload.lines[0].quantity: not a positive whole number',
      'payload.totalMinor: not a whole, non-negative amount in minor units (got 25.0001)',
      'payload.currency: not an ISO 4217 code (got "eur")',
      'payload.shipping: not a field of LegacyOrderPlaced',
    ]);
    expect(legacyFactViolations({ ...placed, eventType: 'LegacyOrderTeleported' })).toEqual([
      'eventType: "LegacyOrderTeleported" is no legacy fact type',
    ]);
    expect(legacyFactViolations('not a fact')).toEqual(['the fact is not an object']);
  });
});
