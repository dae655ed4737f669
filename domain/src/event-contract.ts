/**
 * The fact contract as consumers check it before acting: what makes an envelope on
 * `legacy.order-events.v1` or `orders.lifecycle.v1` something that can ever be applied. Each
 * check answers with the problem in words (the dead letter's reason) or undefined when the
 * message keeps the contract. Event ids are derived (events.ts, legacy-events.ts), so an id that
 * does not match its order and fact is refused: the inbox dedupes by it, and a wrong id would
 * let a fact be applied twice or shadow another one.
 */
import { type EventEnvelope, lifecycleEventId, LIFECYCLE_EVENT_TYPES } from './events';
import { LEGACY_FACT_TYPES, type LegacyEvent, legacyEventId } from './legacy-events';

/** Longest order id a consumer accepts: ids are workflow ids and inbox keys. */
export const MAX_ORDER_ID_LENGTH = 200;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The envelope every topic shares: ids, type, source, time, sequence and a payload object. */
export function envelopeProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not an event envelope (an object)';
  const { eventId, orderId, eventType, occurredAt, sequence, payload, source } = value;
  if (typeof eventId !== 'string' || eventId.length === 0) return 'no event id';
  if (typeof orderId !== 'string' || orderId.length === 0) return 'no order id';
  if (orderId.length > MAX_ORDER_ID_LENGTH) return `order id longer than ${MAX_ORDER_ID_LENGTH}`;
  if (typeof eventType !== 'string') return 'no event type';
  if (source !== 'order-workflow' && source !== 'legacy-monolith') return 'unknown source';
  if (typeof occurredAt !== 'string' || Number.isNaN(Date.parse(occurredAt))) {
    return 'occurredAt is not a time';
  }
  if (typeof sequence !== 'number' || !Number.isInteger(sequence) || sequence < 1) {
    return 'sequence is not a positive integer';
  }
  if (!isRecord(payload)) return 'payload is not an object';
  return undefined;
}

/** A monolith fact as the mirror publishes it, its id derived from its order and fact. */
export function legacyFactProblem(value: unknown): string | undefined {
  const envelope = envelopeProblem(value);
  if (envelope) return envelope;
  const event = value as EventEnvelope;
  if (event.source !== 'legacy-monolith') return 'not a legacy fact (source)';
  if (!(LEGACY_FACT_TYPES as readonly string[]).includes(event.eventType)) {
    return `not a legacy fact (${event.eventType.slice(0, 60)})`;
  }
  const expected = legacyEventId(event.orderId, event.eventType as LegacyEvent['eventType']);
  if (event.eventId !== expected) return `event id is not ${expected}`;
  if (event.eventType === 'LegacyOrderPlaced') {
    const { lines, customerId, totalMinor, currency } = event.payload;
    if (typeof customerId !== 'string' || customerId.length === 0) return 'placed without customer';
    if (!Array.isArray(lines) || lines.length === 0) return 'placed without lines';
    const badLine = (lines as unknown[]).some(
      (line) =>
        !isRecord(line) ||
        typeof line.sku !== 'string' ||
        !Number.isInteger(line.quantity) ||
        (line.quantity as number) < 1,
    );
    if (badLine) return 'placed with a line that is not a sku and a positive quantity';
    if (!Number.isInteger(totalMinor) || (totalMinor as number) < 0) return 'placed without total';
    if (typeof currency !== 'string') return 'placed without currency';
  }
  return undefined;
}

/** A lifecycle event of the order workflows, or a monolith fact (the comparator reads both). */
export function orderEventProblem(value: unknown): string | undefined {
  const envelope = envelopeProblem(value);
  if (envelope) return envelope;
  const event = value as EventEnvelope;
  if (event.source === 'legacy-monolith') return legacyFactProblem(value);
  if (!(LIFECYCLE_EVENT_TYPES as readonly string[]).includes(event.eventType)) {
    return `unknown lifecycle event type (${event.eventType.slice(0, 60)})`;
  }
  const expected = lifecycleEventId(event.source, event.orderId, event.sequence);
  if (event.eventId !== expected) return `event id is not ${expected}`;
  return undefined;
}
