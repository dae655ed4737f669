/**
 * The legacy fact contract at run time: what every fact on `legacy.order-events.v1` must be for
 * the signal bridge, the legacy workflow and the comparator to read it (domain/src/legacy-events.ts
 * says it in types; a mapping of a team's own monolith is checked against this, by
 * `npm run mapping:check`). Each violation names the field and what it should be.
 */
import { LIFECYCLE_SCHEMA_VERSION } from './events';
import {
  LEGACY_FACT_TYPES,
  LEGACY_NOTIFICATION_KINDS,
  legacyEventId,
  legacyFactDiscriminator,
  MIGRATION_STAGES,
  type LegacyFactType,
  type LegacyEvent,
} from './legacy-events';

type Fields = Record<string, unknown>;
type Check = (value: unknown, field: string) => string | undefined;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text: Check = (value, field) =>
  typeof value === 'string' && value.trim() !== '' ? undefined : `${field}: not a non-empty string`;
const minor: Check = (value, field) =>
  Number.isSafeInteger(value) && (value as number) >= 0
    ? undefined
    : `${field}: not a whole, non-negative amount in minor units (got ${JSON.stringify(value)})`;
const currency: Check = (value, field) =>
  typeof value === 'string' && /^[A-Z]{3}$/.test(value)
    ? undefined
    : `${field}: not an ISO 4217 code (got ${JSON.stringify(value)})`;
const oneOf =
  (...allowed: unknown[]): Check =>
  (value, field) =>
    allowed.includes(value)
      ? undefined
      : `${field}: not one of ${allowed.map((a) => JSON.stringify(a)).join(', ')} (got ${JSON.stringify(value)})`;
const boolean = oneOf(true, false);
/** Optional: absent, or the rule's answer. */
const optional =
  (rule: Check): Check =>
  (value, field) =>
    value === undefined ? undefined : rule(value, field);
const stages: Check = (value, field) =>
  Array.isArray(value) &&
  value.every((stage) => (MIGRATION_STAGES as readonly unknown[]).includes(stage))
    ? undefined
    : `${field}: not a list of stages (${MIGRATION_STAGES.join(', ')})`;
const scoreOrNull: Check = (value, field) =>
  value === null || (typeof value === 'number' && Number.isFinite(value))
    ? undefined
    : `${field}: not a number or null`;

function lines(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0)
    return [`${field}: not a non-empty list of lines`];
  return value.flatMap((line, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(line)) return [`${at}: not an object`];
    return [
      text(line.sku, `${at}.sku`),
      Number.isSafeInteger(line.quantity) && (line.quantity as number) >= 1
        ? undefined
        : `${at}.quantity: not a positive whole number`,
      line.unitPriceMinor === undefined
        ? undefined
        : minor(line.unitPriceMinor, `${at}.unitPriceMinor`),
    ].filter((v): v is string => v !== undefined);
  });
}

const LINES: unique symbol = Symbol('lines');
type FieldRule = Check | typeof LINES;

/** Per fact type, its payload's fields (nothing more, nothing less). */
const PAYLOADS: Partial<Record<LegacyFactType, Record<string, FieldRule>>> = {
  LegacyOrderPlaced: {
    customerId: text,
    lines: LINES,
    totalMinor: minor,
    currency,
    expedited: boolean,
    handedOver: optional(stages),
  },
  LegacyFraudDecided: {
    decision: oneOf('approve', 'reject'),
    decidedBy: oneOf('rules', 'external'),
    score: scoreOrNull,
  },
  LegacyStockReserved: { lines: LINES },
  LegacyPaymentAuthorized: { authorizationId: text, amountMinor: minor, currency },
  LegacyOrderAccepted: {},
  LegacyOrderRejected: { reason: text },
  LegacyOrderShipped: {},
  LegacyPaymentCaptured: { authorizationId: text, amountMinor: minor },
  LegacyOrderDelivered: {},
  LegacyOrderCancelled: { reason: text },
  LegacyStockReleased: { lines: LINES },
  LegacyPaymentVoided: { authorizationId: text },
  LegacyCustomerNotified: {
    kind: oneOf(...LEGACY_NOTIFICATION_KINDS),
    sentBy: oneOf('monolith', 'platform'),
  },
};

/** The fact types whose payload the contract knows (a spec checks that is all of them). */
export const CONTRACTED_LEGACY_FACT_TYPES = Object.keys(PAYLOADS) as LegacyFactType[];

/** Every way `event` breaks the legacy fact contract; empty when it keeps it. */
export function legacyFactViolations(event: unknown): string[] {
  if (!isObject(event)) return ['the fact is not an object'];
  const type = event.eventType as LegacyFactType;
  if (!LEGACY_FACT_TYPES.includes(type)) {
    return [`eventType: ${JSON.stringify(event.eventType)} is no legacy fact type`];
  }
  const derived =
    typeof event.orderId === 'string'
      ? legacyEventId(event.orderId, type, legacyFactDiscriminator(type, event.payload))
      : undefined;
  const problems: (string | undefined)[] = [
    text(event.orderId, 'orderId'),
    derived !== undefined && event.eventId !== derived
      ? `eventId: ${JSON.stringify(event.eventId)}, not the derived ${JSON.stringify(derived)} (a replay must repeat it)`
      : undefined,
    oneOf('legacy-monolith')(event.source, 'source'),
    oneOf(LIFECYCLE_SCHEMA_VERSION)(event.schemaVersion, 'schemaVersion'),
    oneOf(LEGACY_FACT_TYPES.indexOf(type) + 1)(event.sequence, 'sequence'),
    typeof event.occurredAt === 'string' &&
    !Number.isNaN(Date.parse(event.occurredAt)) &&
    new Date(event.occurredAt).toISOString() === event.occurredAt
      ? undefined
      : `occurredAt: not an ISO 8601 UTC timestamp (got ${JSON.stringify(event.occurredAt)})`,
  ];
  const rules = PAYLOADS[type];
  if (!isObject(event.payload)) problems.push('payload: not an object');
  else if (rules) {
    const payload = event.payload;
    for (const [field, rule] of Object.entries(rules)) {
      const at = `payload.${field}`;
      if (rule === LINES) problems.push(...lines(payload[field], at));
      else problems.push(rule(payload[field], at));
    }
    for (const field of Object.keys(payload).filter((f) => !(f in rules))) {
      problems.push(`payload.${field}: not a field of ${type}`);
    }
  }
  return problems.filter((p): p is string => p !== undefined);
}

/** Narrows after a check: a fact that keeps the contract is a LegacyEvent. */
export const keepsLegacyFactContract = (event: unknown): event is LegacyEvent =>
  legacyFactViolations(event).length === 0;
