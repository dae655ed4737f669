/**
 * The sample monolith's mapping (apps/legacy-monolith): its orders, order lines, payments and
 * notifications tables and its outbox, through the anti-corruption functions of
 * legacy-adapter/src/mirror/legacy-mapping.ts. The mirror's default (MIRROR_MAPPING unset).
 *
 * MIRROR_TABLES, when set, names its tables in this order: orders, order lines, payments, and
 * notifications. Three (no notifications table) mirrors no notifications, so the notification
 * stage has no legacy side to compare.
 */
import type { LegacyLine } from '@order-platform/domain';
import {
  eventsFromOrderChange,
  eventsFromOutbox,
  eventsFromNotificationChange,
  eventsFromPaymentChange,
  type LineRow,
  type NotificationRow,
  type OrderRow,
  type PaymentRow,
} from '../mirror/legacy-mapping';
import {
  checkMappingSources,
  type LegacyMapping,
  type MappedChange,
  type MappingSources,
} from '../mirror/legacy-mapping-port';

export const SAMPLE_MONOLITH_TABLES = [
  'monolith.orders',
  'monolith.order_lines',
  'monolith.payments',
  'monolith.notifications',
] as const;
export const SAMPLE_MONOLITH_OUTBOX = 'monolith.outbox';

const lineOf = (row: Record<string, unknown>): LegacyLine => ({
  sku: row.sku as string,
  quantity: Number(row.quantity),
  unitPriceMinor: Number(row.unit_price_cents),
});

export function createMapping(sources: MappingSources = {}): LegacyMapping {
  const tables = sources.tables?.length ? sources.tables : SAMPLE_MONOLITH_TABLES;
  if (tables.length !== 3 && tables.length !== 4) {
    throw new Error(
      'MIRROR_TABLES lists the orders, order lines and payments tables, and the notifications table',
    );
  }
  const [orders, orderLines, payments, notifications] = tables as [
    string,
    string,
    string,
    string | undefined,
  ];
  return checkMappingSources({
    name: 'sample-monolith',
    tables,
    outboxTable: sources.outboxTable ?? SAMPLE_MONOLITH_OUTBOX,

    async fromTransaction(changes, { committedAt, partial, related }): Promise<MappedChange[]> {
      // An order's lines come in its placing transaction (unless that came in parts); later
      // changes, and parts, read them back, all in one call.
      const lineRows = partial ? [] : changes.filter((c) => c.table === orderLines);
      const placedHere = new Set(lineRows.map((c) => (c.row as LineRow).order_id));
      const readBack = [
        ...new Set(
          changes
            .filter((c) => c.table === orders)
            .map((c) => (c.row as OrderRow).order_id)
            .filter((id) => !placedHere.has(id)),
        ),
      ];
      const allLines = [
        ...lineRows.map((c) => c.row),
        ...(readBack.length > 0 ? await related(orderLines, 'order_id', readBack) : []),
      ].sort((a, b) => Number(a.line_no) - Number(b.line_no)) as LineRow[];
      const linesOf = new Map<string, LegacyLine[]>();
      for (const line of allLines) {
        linesOf.set(line.order_id, [...(linesOf.get(line.order_id) ?? []), lineOf(line)]);
      }
      const mapped: MappedChange[] = [];
      for (const change of changes) {
        if (change.table === orders) {
          const order = change.row as OrderRow;
          const lines = linesOf.get(order.order_id) ?? [];
          mapped.push({
            source: change,
            mapped: eventsFromOrderChange({ kind: change.kind, order, lines, committedAt }),
          });
        } else if (change.table === payments) {
          mapped.push({
            source: change,
            mapped: eventsFromPaymentChange({
              kind: change.kind,
              payment: change.row as PaymentRow,
              committedAt,
            }),
          });
        } else if (notifications !== undefined && change.table === notifications) {
          mapped.push({
            source: change,
            mapped: eventsFromNotificationChange({
              notification: change.row as NotificationRow,
              committedAt,
            }),
          });
        }
      }
      return mapped;
    },

    fromOutbox: eventsFromOutbox,
  });
}
