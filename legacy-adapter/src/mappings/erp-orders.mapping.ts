/**
 * A second, differently shaped monolith: an ERP's sales orders (fixtures in
 * legacy-adapter/fixtures/erp-orders/, its tables in schema.sql there). What differs from the
 * sample monolith, and how this mapping reads it:
 *
 * - tables and columns: `erp.sales_order` (`so_number`, `client_ref`, ...),
 *   `erp.sales_order_item` (`pos`, `article_no`, `qty`), `erp.card_txn` (one row per card
 *   transaction: AUTH, CAPTURE, REVERSAL); no outbox, so it maps change data capture only;
 * - status codes: numbers (10 entered, 20 released, 30 dispatched, 40 completed, 90 voided,
 *   95 declined), the risk check as `OK`/`BLOCK` with its source `ERP`/`EXT`;
 * - money: decimal strings in major units (`numeric(12,2)` arrives as `'25.00'`) with lower-case
 *   currency codes, turned into whole minor units by string arithmetic, never through floating
 *   point; a value with more decimals than its currency has is refused, not rounded;
 * - express shipping: a `Y`/`N` flag;
 * - customer notifications: the ERP keeps no record of what it told its customers, so this
 *   mapping produces no `LegacyCustomerNotified`. With it, the notification stage has no legacy
 *   side: the comparator compares nothing for it, and the stage can only be promoted with an
 *   `overrideReason` (say why: what the ERP sent is not recorded anywhere the mirror can read).
 *
 * MIRROR_TABLES, when set, names its three tables in this order: orders, items, card transactions.
 */
import {
  type LegacyEvent,
  legacyEvent,
  type LegacyFactPayloads,
  type LegacyFactType,
  type LegacyLine,
} from '@order-platform/domain';
import {
  checkMappingSources,
  type LegacyMapping,
  type Mapped,
  type MappedChange,
  type MappingSources,
} from '../mirror/legacy-mapping-port';

export const ERP_TABLES = ['erp.sales_order', 'erp.sales_order_item', 'erp.card_txn'] as const;

class Unmappable extends Error {}

type Row = Record<string, unknown>;

const text = (row: Row, field: string): string => {
  const value = row[field];
  if (typeof value !== 'string' || value.trim() === '')
    throw new Unmappable(`${field}: not a string`);
  return value;
};

const currencyOf = (row: Row, field: string): string => {
  const value = text(row, field).trim();
  if (!/^[A-Za-z]{3}$/.test(value)) throw new Unmappable(`${field}: not an ISO 4217 code`);
  return value.toUpperCase();
};

/** ISO 4217 minor-unit exponents that are not 2. */
const EXPONENT: Record<string, number> = {
  JPY: 0,
  KRW: 0,
  ISK: 0,
  CLP: 0,
  BHD: 3,
  KWD: 3,
  JOD: 3,
  OMR: 3,
  TND: 3,
};

/** '25.00' EUR -> 2500; '1200' JPY -> 1200; '12.345' EUR is refused, never rounded. */
export function minorUnits(value: unknown, currency: string, field: string): number {
  const decimal = typeof value === 'number' ? String(value) : value;
  const match =
    typeof decimal === 'string' ? /^(\d{1,15})(?:\.(\d{1,6}))?$/.exec(decimal.trim()) : null;
  if (!match)
    throw new Unmappable(
      `${field}: not a non-negative decimal amount (got ${JSON.stringify(value)})`,
    );
  const exponent = EXPONENT[currency] ?? 2;
  const fraction = match[2] ?? '';
  if (/[1-9]/.test(fraction.slice(exponent))) {
    throw new Unmappable(`${field}: ${decimal} ${currency} is not a whole number of minor units`);
  }
  const minor =
    BigInt(match[1]!) * 10n ** BigInt(exponent) +
    BigInt(fraction.slice(0, exponent).padEnd(exponent, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new Unmappable(`${field}: too large`);
  return Number(minor);
}

const STATES = {
  ENTERED: 10,
  RELEASED: 20,
  DISPATCHED: 30,
  COMPLETED: 40,
  VOIDED: 90,
  DECLINED: 95,
} as const;

function riskDecision(order: Row): LegacyFactPayloads['LegacyFraudDecided'] {
  const verdict = order.risk_verdict;
  if (verdict !== 'OK' && verdict !== 'BLOCK') {
    throw new Unmappable(`risk_verdict: unknown value ${JSON.stringify(verdict)}`);
  }
  const source = order.risk_source;
  if (source !== 'ERP' && source !== 'EXT') {
    throw new Unmappable(`risk_source: unknown value ${JSON.stringify(source)}`);
  }
  const points = order.risk_points;
  return {
    decision: verdict === 'OK' ? 'approve' : 'reject',
    decidedBy: source === 'ERP' ? 'rules' : 'external',
    score: points === null || points === undefined ? null : Number(points),
  };
}

function lineOf(item: Row, i: number, currency: string): LegacyLine {
  const quantity = Number(item.qty);
  if (!Number.isInteger(quantity) || quantity < 1) {
    throw new Unmappable(`items[${i}].qty: not a positive integer`);
  }
  return {
    sku: text(item, 'article_no'),
    quantity,
    unitPriceMinor: minorUnits(item.unit_price, currency, `items[${i}].unit_price`),
  };
}

function mapped(build: () => LegacyEvent[]): Mapped {
  try {
    return { events: build().sort((a, b) => a.sequence - b.sequence) };
  } catch (error) {
    if (error instanceof Unmappable) return { unmappable: error.message };
    throw error;
  }
}

export function createMapping(sources: MappingSources = {}): LegacyMapping {
  const tables = sources.tables?.length ? sources.tables : ERP_TABLES;
  if (tables.length !== 3) {
    throw new Error('MIRROR_TABLES lists the sales order, item and card transaction tables');
  }
  const [orders, items, cardTxns] = tables as [string, string, string];
  return checkMappingSources({
    name: 'erp-orders',
    tables,

    async fromTransaction(changes, { committedAt, partial, related }): Promise<MappedChange[]> {
      // A sales order's items come with it unless the transaction came in parts; the rest are
      // read back, all in one call.
      const itemRows = partial ? [] : changes.filter((c) => c.table === items).map((c) => c.row);
      const here = new Set(itemRows.map((row) => String(row.so_number)));
      const readBack = [
        ...new Set(
          changes
            .filter((c) => c.table === orders)
            .map((c) => String(c.row.so_number ?? ''))
            .filter((so) => !here.has(so)),
        ),
      ];
      const itemsOf = new Map<string, Row[]>();
      for (const row of [
        ...itemRows,
        ...(readBack.length > 0 ? await related(items, 'so_number', readBack) : []),
      ]) {
        const so = String(row.so_number);
        itemsOf.set(so, [...(itemsOf.get(so) ?? []), row]);
      }
      const result: MappedChange[] = [];
      for (const change of changes) {
        if (change.table === orders) {
          const order = change.row;
          const so = String(order.so_number ?? '');
          const orderItems = (itemsOf.get(so) ?? []).sort((a, b) => Number(a.pos) - Number(b.pos));
          result.push({
            source: change,
            mapped: fromOrder(change.kind, order, orderItems, committedAt),
          });
        } else if (change.table === cardTxns && change.kind === 'insert') {
          result.push({ source: change, mapped: fromCardTxn(change.row, committedAt) });
        }
      }
      return result;
    },
  });
}

function fromOrder(kind: 'insert' | 'update', order: Row, items: Row[], at: string): Mapped {
  return mapped(() => {
    const orderId = text(order, 'so_number');
    const events: LegacyEvent[] = [];
    const add = <T extends LegacyFactType>(type: T, payload: LegacyFactPayloads[T]) =>
      events.push(legacyEvent(orderId, type, at, payload));
    const currency = currencyOf(order, 'currency_code');
    const lines = () => {
      if (items.length === 0) throw new Unmappable('items: none for the order');
      return items.map((item, i) => lineOf(item, i, currency));
    };
    if (kind === 'insert') {
      const express = order.express_flag;
      if (express !== 'Y' && express !== 'N') {
        throw new Unmappable(`express_flag: unknown value ${JSON.stringify(express)}`);
      }
      add('LegacyOrderPlaced', {
        customerId: text(order, 'client_ref'),
        lines: lines(),
        totalMinor: minorUnits(order.gross_amount, currency, 'gross_amount'),
        currency,
        expedited: express === 'Y',
      });
    }
    switch (Number(order.state_code)) {
      case STATES.ENTERED:
        break;
      case STATES.RELEASED:
        add('LegacyFraudDecided', riskDecision(order));
        add('LegacyStockReserved', { lines: lines() });
        add('LegacyOrderAccepted', {});
        break;
      case STATES.DECLINED:
        add('LegacyFraudDecided', riskDecision(order));
        add('LegacyOrderRejected', { reason: 'fraud' });
        break;
      case STATES.DISPATCHED:
        add('LegacyOrderShipped', {});
        break;
      case STATES.COMPLETED:
        add('LegacyOrderDelivered', {});
        break;
      case STATES.VOIDED:
        add('LegacyOrderCancelled', { reason: 'voided in the ERP' });
        // Stock was allocated only once the order had been released.
        if (order.released_at) add('LegacyStockReleased', { lines: lines() });
        break;
      default:
        throw new Unmappable(
          `state_code ${JSON.stringify(order.state_code)}: unknown to the mapping`,
        );
    }
    return events;
  });
}

function fromCardTxn(txn: Row, at: string): Mapped {
  return mapped(() => {
    const orderId = text(txn, 'so_number');
    const currency = currencyOf(txn, 'currency_code');
    switch (txn.txn_kind) {
      case 'AUTH':
        return [
          legacyEvent(orderId, 'LegacyPaymentAuthorized', at, {
            authorizationId: text(txn, 'txn_ref'),
            amountMinor: minorUnits(txn.value, currency, 'value'),
            currency,
          }),
        ];
      case 'CAPTURE':
        return [
          legacyEvent(orderId, 'LegacyPaymentCaptured', at, {
            authorizationId: text(txn, 'auth_ref'),
            amountMinor: minorUnits(txn.value, currency, 'value'),
          }),
        ];
      case 'REVERSAL':
        return [
          legacyEvent(orderId, 'LegacyPaymentVoided', at, {
            authorizationId: text(txn, 'auth_ref'),
          }),
        ];
      default:
        throw new Unmappable(`txn_kind ${JSON.stringify(txn.txn_kind)}: unknown to the mapping`);
    }
  });
}
