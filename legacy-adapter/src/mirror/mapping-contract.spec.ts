import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { legacyEvent } from '@order-platform/domain';
import { createMapping as sampleMonolith } from '../mappings/sample-monolith.mapping';
import type { LegacyMapping } from './legacy-mapping-port';
import { checkMapping, type RecordedRows } from './mapping-contract';

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(join(__dirname, '../../fixtures', name, 'recorded-rows.json'), 'utf8'),
  ) as RecordedRows;

const at = '2026-11-02T09:00:00.000Z';
const oneTransaction: RecordedRows = {
  transactions: [
    { committedAt: at, changes: [{ table: 'x.orders', kind: 'insert', row: { id: 'A' } }] },
  ],
};
/** A mapping made of one answer per transaction. */
const mappingOf = (
  answer: (call: number) => unknown,
  extra: Partial<LegacyMapping> = {},
): LegacyMapping => {
  let calls = 0;
  return {
    name: 'under-test',
    tables: ['x.orders'],
    fromTransaction: async (changes) => [{ source: changes[0]!, mapped: answer(++calls) as never }],
    ...extra,
  };
};

describe('the mapping contract kit', () => {
  it("passes the sample monolith's mapping on its recorded log and outbox: the same facts, the same ids", async () => {
    const report = await checkMapping(sampleMonolith(), fixture('sample-monolith'));
    expect(report.violations).toEqual([]);
    // The log and the outbox both told the placement, the decision, the stock and the payment:
    // one id each, one payload each (a difference would have been a violation).
    expect(report.factsByType).toMatchObject({
      LegacyOrderPlaced: 2,
      LegacyFraudDecided: 2,
      LegacyPaymentAuthorized: 2,
      // Confirmed on both sources, shipped and delivered on the log: one id per kind.
      LegacyCustomerNotified: 4,
    });
    expect(report.unmappable).toEqual([
      {
        where: 'transactions[3] changes[0] (monolith.orders update)',
        reason: 'status "ARCHIVED": unknown to the mapping',
      },
      {
        where: 'transactions[3] changes[1] (monolith.notifications insert)',
        reason: 'notification kind: unknown value "survey"',
      },
      {
        where: 'outbox[6] (OrderTeleported)',
        reason: 'event type OrderTeleported: unknown to the mapping',
      },
    ]);
  });

  it('refuses a fact off the contract, naming where it came from and the field', async () => {
    const report = await checkMapping(
      mappingOf(() => ({
        events: [
          {
            ...legacyEvent('A', 'LegacyPaymentVoided', at, { authorizationId: 'auth-1' }),
            payload: { authorizationId: 42 },
          },
        ],
      })),
      oneTransaction,
    );
    expect(report.violations).toEqual([
      {
        where: 'transactions[0] changes[0] (x.orders insert) fact 1 (LegacyPaymentVoided of A)',
        problems: ['payload.authorizationId: not a non-empty string'],
      },
    ]);
  });

  it('refuses a mapping that answers differently the second time (a replay would not repeat its ids)', async () => {
    const report = await checkMapping(
      mappingOf((call) => ({
        events: [legacyEvent('A', 'LegacyOrderRejected', at, { reason: `attempt ${call}` })],
      })),
      oneTransaction,
    );
    expect(report.violations).toContainEqual({
      where: 'transactions[0]',
      problems: ['mapped twice, it gave other facts: a replay would not repeat them'],
    });
  });

  it('refuses one fact id with two meanings across the recording', async () => {
    const twice: RecordedRows = {
      transactions: [oneTransaction.transactions![0]!, oneTransaction.transactions![0]!],
    };
    let transaction = 0;
    const mapping: LegacyMapping = {
      name: 'under-test',
      tables: ['x.orders'],
      fromTransaction: async (changes) => {
        transaction += 0.5; // each transaction is mapped twice (the determinism check)
        return [
          {
            source: changes[0]!,
            mapped: {
              events: [
                legacyEvent('A', 'LegacyOrderCancelled', at, {
                  reason: transaction <= 1 ? 'customer asked' : 'out of stock',
                }),
              ],
            },
          },
        ];
      },
    };
    const report = await checkMapping(mapping, twice);
    expect(report.violations).toEqual([
      {
        where: 'transactions[1] changes[0] (x.orders insert) fact 1',
        problems: [
          'legacy-monolith:A:LegacyOrderCancelled carries another payload than at transactions[0] changes[0] (x.orders insert) fact 1: one fact, one meaning',
        ],
      },
    ]);
  });

  it('refuses a mapping that throws, an unmappable without a reason, and outbox records it cannot read', async () => {
    const throwing = await checkMapping(
      {
        name: 'under-test',
        tables: ['x.orders'],
        fromTransaction: async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'status')");
        },
      },
      {
        ...oneTransaction,
        outbox: [
          { id: '1', aggregate_id: 'A', event_type: 'OrderPlaced', payload: {}, occurred_at: at },
        ],
      },
    );
    expect(throwing.violations).toEqual([
      {
        where: 'transactions[0]',
        problems: ["the mapping threw: Cannot read properties of undefined (reading 'status')"],
      },
      {
        where: 'outbox[0] (OrderPlaced)',
        problems: ['the recording has outbox records, the mapping reads no outbox'],
      },
    ]);
    const silent = await checkMapping(
      mappingOf(() => ({ unmappable: ' ' })),
      oneTransaction,
    );
    expect(silent.violations).toEqual([
      {
        where: 'transactions[0] changes[0] (x.orders insert)',
        problems: ['unmappable without a reason'],
      },
    ]);
  });
});
