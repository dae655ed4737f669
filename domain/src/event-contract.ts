/**
 * The fact contract as consumers check it before acting: what makes an envelope on
 * `legacy.order-events.v1` or `orders.lifecycle.v1` something that can ever be applied. Each
 * check answers with the problem in words (the dead letter's reason) or undefined when the
 * message keeps the contract. Event ids are derived (events.ts, legacy-events.ts), so an id that
 * does not match its order and fact is refused: the inbox dedupes by it, and a wrong id would
 * let a fact be applied twice or shadow another one.
 */
import { type EventEnvelope, lifecycleEventId, LIFECYCLE_EVENT_TYPES } from './events';
import { legacyFactViolations } from './legacy-fact-contract';

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

/**
 * A monolith fact as the mirror publishes it: the envelope, then the legacy fact contract
 * (legacy-fact-contract.ts, the one a mapping is checked against), whose first violation is
 * the reason.
 */
export function legacyFactProblem(value: unknown): string | undefined {
  return envelopeProblem(value) ?? legacyFactViolations(value)[0];
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
  if (event.eventId !== expected) {
    return `eventId: ${JSON.stringify(event.eventId)}, not the derived ${JSON.stringify(expected)}`;
  }
  return undefined;
}
