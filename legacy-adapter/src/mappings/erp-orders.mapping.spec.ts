import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LegacyEvent, legacyFactViolations } from '@order-platform/domain';
import type { RowChange } from '../mirror/legacy-mapping-port';
import { checkMapping, type RecordedRows } from '../mirror/mapping-contract';
import { createMapping, minorUnits } from './erp-orders.mapping';

const FIXTURES = join(__dirname, '../../fixtures/erp-orders');
const recording = JSON.parse(
  readFileSync(join(FIXTURES, 'recorded-rows.json'), 'utf8'),
) as RecordedRows;

describe('the mapping of a second, differently shaped monolith (an ERP)', () => {
  const mapping = createMapping();

  it('turns decimal strings in major units into whole minor units, and refuses what it would have to round', () => {
    expect(minorUnits('37.50', 'EUR', 'v')).toBe(3750);
    expect(minorUnits('37.5', 'EUR', 'v')).toBe(3750);
    expect(minorUnits('37', 'EUR', 'v')).toBe(3700);
    expect(minorUnits('0.10', 'EUR', 'v')).toBe(10);
    expect(minorUnits('12.300', 'EUR', 'v')).toBe(1230);
    expect(minorUnits('1200', 'JPY', 'v')).toBe(1200);
    expect(minorUnits('1.234', 'KWD', 'v')).toBe(1234);
    // 0.1 + 0.2 is never computed: string arithmetic only
    expect(minorUnits('0.30', 'EUR', 'v')).toBe(30);
    for (const [value, currency] of [
      ['12.345', 'EUR'],
      ['1200.5', 'JPY'],
      ['-1.00', 'EUR'],
      ['1e3', 'EUR'],
      ['', 'EUR'],
      [null, 'EUR'],
      ['99999999999999999.99', 'EUR'],
    ] as const) {
      expect(() => minorUnits(value, currency, 'v')).toThrow(/^v: /);
    }
  });

  it('maps the recorded rows: every fact keeps the contract, and what it cannot read is unmappable with the reason', async () => {
    const report = await checkMapping(mapping, recording);
    expect(report.violations).toEqual([]);
    expect(report.unmappable).toEqual([
      {
        where: 'transactions[8] changes[0] (erp.sales_order insert)',
        reason: 'items[0].unit_price: 12.345 EUR is not a whole number of minor units',
      },
      {
        where: 'transactions[9] changes[0] (erp.sales_order update)',
        reason: 'state_code "55": unknown to the mapping',
      },
      {
        where: 'transactions[10] changes[0] (erp.card_txn insert)',
        reason: 'txn_kind "REFUND": unknown to the mapping',
      },
    ]);
    expect(report.factsByType).toMatchObject({
      LegacyOrderPlaced: 4,
      LegacyFraudDecided: 3,
      LegacyPaymentAuthorized: 2,
      LegacyPaymentCaptured: 1,
      LegacyStockReleased: 1,
    });
  });

  /** Every fact of the recording, in commit order. */
  async function facts(): Promise<LegacyEvent[]> {
    const all: LegacyEvent[] = [];
    const inserted: RowChange[] = [];
    for (const transaction of recording.transactions ?? []) {
      inserted.push(...transaction.changes.filter((c) => c.kind === 'insert'));
      const mapped = await mapping.fromTransaction(transaction.changes, {
        committedAt: transaction.committedAt,
        partial: false,
        related: async (table, column, values) =>
          inserted
            .filter((c) => c.table === table && values.includes(c.row[column]))
            .map((c) => c.row),
      });
      for (const { mapped: m } of mapped) if ('events' in m) all.push(...m.events);
    }
    return all;
  }

  it('follows one order through its whole life in the platform’s words', async () => {
    const so1001 = (await facts()).filter((event) => event.orderId === 'SO-1001');
    expect(so1001.map((event) => event.eventType)).toEqual([
      'LegacyOrderPlaced',
      'LegacyFraudDecided',
      'LegacyStockReserved',
      'LegacyOrderAccepted',
      'LegacyPaymentAuthorized',
      'LegacyOrderShipped',
      'LegacyOrderDelivered',
      'LegacyPaymentCaptured',
    ]);
    expect(so1001[0]).toMatchObject({
      eventId: 'legacy-monolith:SO-1001:LegacyOrderPlaced',
      occurredAt: '2026-11-02T09:00:00.000Z',
      payload: {
        customerId: 'cust-7',
        totalMinor: 3750,
        currency: 'EUR',
        expedited: false,
        lines: [
          { sku: 'A-100', quantity: 1, unitPriceMinor: 1250 },
          { sku: 'B-200', quantity: 2, unitPriceMinor: 1250 },
        ],
      },
    });
    expect(so1001[1]!.payload).toEqual({ decision: 'approve', decidedBy: 'rules', score: 12 });
    expect(so1001[7]!.payload).toEqual({ authorizationId: 'TX-9001', amountMinor: 3750 });
    for (const event of so1001) expect(legacyFactViolations(event)).toEqual([]);
  });

  it('releases what a voided order held, reading its items back from the table, and tells a decline from outside', async () => {
    const all = await facts();
    const voided = all.filter((event) => event.orderId === 'SO-1002');
    expect(voided[0]!.payload).toMatchObject({ expedited: true, totalMinor: 1750 });
    expect(voided.find((event) => event.eventType === 'LegacyStockReleased')!.payload).toEqual({
      lines: [{ sku: 'A-100', quantity: 1, unitPriceMinor: 1250 }],
    });
    expect(voided.find((event) => event.eventType === 'LegacyPaymentVoided')!.payload).toEqual({
      authorizationId: 'TX-9003',
    });
    const declined = all.filter((event) => event.orderId === 'SO-1003');
    expect(declined.map((event) => [event.eventType, event.payload])).toEqual([
      ['LegacyOrderPlaced', expect.objectContaining({ totalMinor: 25_000 })],
      ['LegacyFraudDecided', { decision: 'reject', decidedBy: 'external', score: null }],
      ['LegacyOrderRejected', { reason: 'fraud' }],
    ]);
    const yen = all.find((event) => event.orderId === 'SO-1004')!;
    expect(yen.payload).toMatchObject({ totalMinor: 1200, currency: 'JPY' });
  });

  it('reads its tables where configured, and refuses a list it cannot read', () => {
    expect(createMapping({ tables: ['shop.so', 'shop.so_item', 'shop.txn'] }).tables).toEqual([
      'shop.so',
      'shop.so_item',
      'shop.txn',
    ]);
    expect(() => createMapping({ tables: ['shop.so'] })).toThrow(/MIRROR_TABLES/);
    expect(() => createMapping({ tables: ['so', 'so_item', 'txn'] })).toThrow(/schema-qualified/);
    expect(mapping.fromOutbox).toBeUndefined();
  });
});
