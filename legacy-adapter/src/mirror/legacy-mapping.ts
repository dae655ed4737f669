/**
 * The anti-corruption layer: the monolith's rows and outbox records, in its words (cents,
 * APPROVED, status codes), become the platform's legacy facts (domain/src/legacy-events.ts). It
 * relies on the monolith's tables and outbox only, never on its code. What cannot be mapped is
 * not guessed at: it comes back as `unmappable` with the reason, for the dead-letter topic, and
 * so does a record that makes the mapping throw at all (it never throws).
 */
import {
  isComparedNotificationKind,
  type LegacyEvent,
  legacyEvent,
  type LegacyFactPayloads,
  type LegacyFactType,
  type LegacyLine,
  type LegacyNotificationKind,
  MIGRATION_STAGES,
  type MigrationStage,
} from '@order-platform/domain';
import type { Mapped, OutboxRecord } from './legacy-mapping-port';

export type { Mapped, OutboxRecord };

class Unmappable extends Error {}

// --- field readers: each names what it could not read ------------------------------------

const text = (record: Record<string, unknown>, field: string): string => {
  const value = record[field];
  if (typeof value !== 'string' || value === '') throw new Unmappable(`${field}: not a string`);
  return value;
};

/** Cents arrive as numbers (JSON) or strings (bigint columns); both must be whole and >= 0. */
const cents = (record: Record<string, unknown>, field: string): number => {
  const value = typeof record[field] === 'string' ? Number(record[field]) : record[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Unmappable(`${field}: not a non-negative whole amount`);
  }
  return value;
};

const currency = (record: Record<string, unknown>, field: string): string => {
  const value = text(record, field);
  if (!/^[A-Z]{3}$/.test(value)) throw new Unmappable(`${field}: not an ISO 4217 code`);
  return value;
};

function lines(value: unknown, field: string): LegacyLine[] {
  if (!Array.isArray(value) || value.length === 0) throw new Unmappable(`${field}: no lines`);
  return value.map((line: Record<string, unknown>, i) => {
    const quantity = Number(line.quantity);
    if (!Number.isInteger(quantity) || quantity < 1) {
      throw new Unmappable(`${field}[${i}].quantity: not a positive integer`);
    }
    // The outbox says unitPriceCents, the lines table unit_price_cents; already mapped: unitPriceMinor.
    const priceField = ['unitPriceMinor', 'unitPriceCents', 'unit_price_cents'].find(
      (name) => line[name] !== undefined,
    );
    return {
      sku: text(line, 'sku'),
      quantity,
      ...(priceField ? { unitPriceMinor: cents(line, priceField) } : {}),
    };
  });
}

const decision = (value: unknown): 'approve' | 'reject' => {
  if (value === 'APPROVED') return 'approve';
  if (value === 'REJECTED') return 'reject';
  throw new Unmappable(`fraud decision: unknown value ${JSON.stringify(value)}`);
};

/**
 * The stages the monolith handed over to the platform for an order: a JSON array (outbox) or a
 * PostgreSQL text[] in its text form (`{inventory,payment}`, logical replication). Absent (a
 * monolith or an order from before hand-over): nothing is said, and the fact says nothing.
 */
function handedOver(value: unknown): { handedOver?: MigrationStage[] } {
  if (value === undefined || value === null) return {};
  const stages =
    typeof value === 'string' && /^\{.*\}$/.test(value)
      ? value
          .slice(1, -1)
          .split(',')
          .filter((stage) => stage !== '')
      : value;
  if (
    !Array.isArray(stages) ||
    !stages.every((stage) => MIGRATION_STAGES.includes(stage as MigrationStage))
  ) {
    throw new Unmappable(`handed over: not a list of stages (${MIGRATION_STAGES.join(', ')})`);
  }
  return { handedOver: stages as MigrationStage[] };
}

const decidedBy = (value: unknown): 'rules' | 'external' => {
  if (value === 'rules' || value === 'external') return value;
  throw new Unmappable(`fraud decided by: unknown value ${JSON.stringify(value)}`);
};

/** The monolith's notification kinds are the platform's words already; anything else is refused. */
const notificationKind = (value: unknown): LegacyNotificationKind => {
  if (isComparedNotificationKind(value)) return value;
  throw new Unmappable(`notification kind: unknown value ${JSON.stringify(value)}`);
};

const sentBy = (value: unknown): 'monolith' | 'platform' => {
  if (value === 'monolith' || value === 'platform') return value;
  throw new Unmappable(`notification sent by: unknown value ${JSON.stringify(value)}`);
};

function mapping(build: () => LegacyEvent[]): Mapped {
  try {
    const events = build();
    // Within one source record, in lifecycle order: a consumer never sees effects before causes.
    return { events: events.sort((a, b) => a.sequence - b.sequence) };
  } catch (error) {
    if (error instanceof Unmappable) return { unmappable: error.message };
    // The mapping is pure: whatever it trips over (a null line, a payload of another shape) is
    // in the record, and a record that cannot be read must be parked, never retried for ever.
    return { unmappable: `malformed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

// --- the outbox: one record, one fact ---------------------------------------------------

type OutboxMapper = {
  [T in LegacyFactType]: [T, (payload: Record<string, unknown>) => LegacyFactPayloads[T]];
}[LegacyFactType];

const OUTBOX: Record<string, OutboxMapper> = {
  OrderPlaced: [
    'LegacyOrderPlaced',
    (p) => ({
      customerId: text(p, 'customerId'),
      lines: lines(p.lines, 'lines'),
      totalMinor: cents(p, 'totalCents'),
      currency: currency(p, 'currency'),
      expedited: p.expedited === true,
      ...handedOver(p.handedOver),
    }),
  ],
  FraudDecided: [
    'LegacyFraudDecided',
    (p) => ({
      decision: decision(p.decision),
      decidedBy: decidedBy(p.decidedBy),
      score: typeof p.score === 'number' ? p.score : null,
    }),
  ],
  StockReserved: ['LegacyStockReserved', (p) => ({ lines: lines(p.lines, 'lines') })],
  PaymentAuthorized: [
    'LegacyPaymentAuthorized',
    (p) => ({
      authorizationId: text(p, 'authId'),
      amountMinor: cents(p, 'amountCents'),
      currency: currency(p, 'currency'),
    }),
  ],
  OrderAccepted: ['LegacyOrderAccepted', () => ({})],
  OrderRejected: ['LegacyOrderRejected', (p) => ({ reason: String(p.reason ?? 'rejected') })],
  OrderShipped: ['LegacyOrderShipped', () => ({})],
  PaymentCaptured: [
    'LegacyPaymentCaptured',
    (p) => ({ authorizationId: text(p, 'authId'), amountMinor: cents(p, 'amountCents') }),
  ],
  OrderDelivered: ['LegacyOrderDelivered', () => ({})],
  OrderCancelled: ['LegacyOrderCancelled', (p) => ({ reason: String(p.reason ?? 'cancelled') })],
  StockReleased: ['LegacyStockReleased', (p) => ({ lines: lines(p.lines, 'lines') })],
  PaymentVoided: ['LegacyPaymentVoided', (p) => ({ authorizationId: text(p, 'authId') })],
  CustomerNotified: [
    'LegacyCustomerNotified',
    (p) => ({ kind: notificationKind(p.kind), sentBy: sentBy(p.sentBy) }),
  ],
};

export function eventsFromOutbox(record: OutboxRecord): Mapped {
  return mapping(() => {
    const mapper = OUTBOX[record.event_type];
    if (!mapper) throw new Unmappable(`event type ${record.event_type}: unknown to the mapping`);
    const [type, payloadOf] = mapper;
    if (record.payload === null || typeof record.payload !== 'object') {
      throw new Unmappable('payload: not a JSON object');
    }
    const orderId = text({ aggregate_id: record.aggregate_id }, 'aggregate_id');
    return [
      legacyEvent(
        orderId,
        type,
        record.occurred_at.toISOString(),
        payloadOf(record.payload) as never,
      ),
    ];
  });
}

// --- the transaction log: the rows one monolith transaction changed ----------------------

/** A row of monolith.orders as logical decoding delivers it (bigint as text). */
export type OrderRow = Record<string, unknown> & { order_id: string; status: string };
export type PaymentRow = Record<string, unknown> & {
  auth_id: string;
  order_id: string;
  status: string;
};
export type LineRow = Record<string, unknown> & { order_id: string; sku: string };
/** A row of monolith.notifications: what the customer was told, once per kind, and by whom. */
export type NotificationRow = Record<string, unknown> & {
  order_id: string;
  kind: string;
  sent_by: string;
};

export interface OrderChange {
  kind: 'insert' | 'update';
  order: OrderRow;
  /** The order's lines: from the same transaction, or read from monolith.order_lines. */
  lines: LegacyLine[];
  committedAt: string;
}

export interface PaymentChange {
  kind: 'insert' | 'update';
  payment: PaymentRow;
  committedAt: string;
}

/** The facts a new state of an order row records (the transaction that moved it there). */
export function eventsFromOrderChange(change: OrderChange): Mapped {
  return mapping(() => {
    const { order, committedAt: at } = change;
    const orderId = text(order, 'order_id');
    const events: LegacyEvent[] = [];
    const add = <T extends LegacyFactType>(type: T, payload: LegacyFactPayloads[T]) =>
      events.push(legacyEvent(orderId, type, at, payload));
    if (change.kind === 'insert') {
      add('LegacyOrderPlaced', {
        customerId: text(order, 'customer_id'),
        lines: lines(change.lines, 'lines'),
        totalMinor: cents(order, 'total_cents'),
        currency: currency(order, 'currency'),
        expedited: order.expedited === true,
        ...handedOver(order.handed_over),
      });
    }
    const fraud = () => ({
      decision: decision(order.fraud_decision),
      decidedBy: decidedBy(order.fraud_decided_by),
      score:
        order.fraud_score === null || order.fraud_score === undefined
          ? null
          : Number(order.fraud_score),
    });
    // Who holds the stock: the monolith, the platform (inventory handed over), or, on rows from
    // before hand-over, the monolith once the order was accepted (it then has a payment).
    const monolithHeldStock =
      order.stock_held_by === 'monolith' ||
      ((order.stock_held_by === undefined || order.stock_held_by === null) &&
        Boolean(order.payment_auth_id));
    switch (order.status) {
      case 'PENDING_FRAUD':
        break;
      // Waiting for the platform's reservation, then its authorization (stages handed over).
      case 'PENDING_STOCK':
        add('LegacyFraudDecided', fraud());
        break;
      case 'PENDING_PAYMENT':
        add('LegacyFraudDecided', fraud());
        add('LegacyStockReserved', { lines: lines(change.lines, 'lines') });
        break;
      case 'ACCEPTED':
        add('LegacyFraudDecided', fraud());
        add('LegacyStockReserved', { lines: lines(change.lines, 'lines') });
        add('LegacyOrderAccepted', {});
        break;
      case 'REJECTED':
        if (order.fraud_decision) add('LegacyFraudDecided', fraud());
        add('LegacyOrderRejected', {
          reason: order.fraud_decision === 'REJECTED' ? 'fraud' : 'rejected',
        });
        // Rejected after the monolith took stock (the platform declined the payment).
        if (order.stock_held_by === 'monolith')
          add('LegacyStockReleased', { lines: lines(change.lines, 'lines') });
        break;
      case 'SHIPPED':
        add('LegacyOrderShipped', {});
        break;
      case 'DELIVERED':
        add('LegacyOrderDelivered', {});
        break;
      case 'CANCELLED':
        add('LegacyOrderCancelled', { reason: 'cancelled in the monolith' });
        if (monolithHeldStock) add('LegacyStockReleased', { lines: lines(change.lines, 'lines') });
        break;
      default:
        throw new Unmappable(`status ${JSON.stringify(order.status)}: unknown to the mapping`);
    }
    return events;
  });
}

export function eventsFromPaymentChange(change: PaymentChange): Mapped {
  return mapping(() => {
    const { payment, committedAt: at } = change;
    const orderId = text(payment, 'order_id');
    const authorizationId = text(payment, 'auth_id');
    switch (payment.status) {
      case 'AUTHORIZED':
        return [
          legacyEvent(orderId, 'LegacyPaymentAuthorized', at, {
            authorizationId,
            amountMinor: cents(payment, 'amount_cents'),
            currency: currency(payment, 'currency'),
          }),
        ];
      case 'CAPTURED':
        return [
          legacyEvent(orderId, 'LegacyPaymentCaptured', at, {
            authorizationId,
            amountMinor: cents(payment, 'amount_cents'),
          }),
        ];
      case 'VOIDED':
        return [legacyEvent(orderId, 'LegacyPaymentVoided', at, { authorizationId })];
      default:
        throw new Unmappable(
          `payment status ${JSON.stringify(payment.status)}: unknown to the mapping`,
        );
    }
  });
}

/**
 * A notification row records that the customer was told one kind (rows are written once per
 * order and kind; a change to one says the same again, with the same id).
 */
export function eventsFromNotificationChange(change: {
  notification: NotificationRow;
  committedAt: string;
}): Mapped {
  return mapping(() => {
    const { notification: row, committedAt } = change;
    return [
      legacyEvent(text(row, 'order_id'), 'LegacyCustomerNotified', committedAt, {
        kind: notificationKind(row.kind),
        sentBy: sentBy(row.sent_by),
      }),
    ];
  });
}
