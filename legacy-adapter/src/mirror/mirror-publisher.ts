/**
 * Where mirrored facts go: `legacy.order-events.v1`, keyed by order id (per-order order on one
 * partition, the partitioner Java clients use), through the idempotent acks=all producer. A
 * record the mapping could not read goes to the topic's dead-letter topic with the reason and
 * where it came from, and the stream goes on. Whatever one call is given is cut into sends under
 * the broker's message limit and the producer's request limit (send-limits.ts); a fact too large
 * to send at all is dead-lettered in its place, named (event id, type, order, size) but without
 * its body, which would not fit either. `publish` resolves only once Kafka has every message,
 * which is when a source may mark its position as done.
 */
import { deadLetterTopic, type LegacyEvent, TOPICS } from '@order-platform/domain';
import type { IdempotentProducer } from '@order-platform/runtime';
import type { Mapped } from './legacy-mapping';
import {
  describeBytes,
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  KAFKA_DEFAULT_MAX_REQUEST_BYTES,
  type OutgoingMessage,
  sendBudgetBytes,
  type SendLimits,
  splitIntoSends,
} from './send-limits';

export type MirrorSourceKind = 'cdc' | 'outbox';

export interface MirroredRecord {
  mapped: Mapped;
  /** Where it came from, for the dead-letter headers: an LSN or an outbox id. */
  position: string;
  /** The source record as read, kept whole in the dead-letter message. */
  raw: unknown;
  /**
   * Its transaction's place among those of one `publish` call (a source sending several
   * committed transactions together): facts keep commit order across transactions and are put
   * in lifecycle order only within one. 0 when absent.
   */
  transaction?: number;
}

export interface PublishResult {
  events: number;
  deadLettered: number;
  /** Facts too large for the broker, dead-lettered by name (included in deadLettered). */
  oversized: number;
  /** Kafka sends it took. */
  sends: number;
}

interface TopicMessage extends OutgoingMessage {
  topic: string;
  /** Where the record came from: kept for a dead letter made in its place. */
  position: string;
}

export class MirrorPublisher {
  private readonly consumerName: string;

  constructor(
    private readonly producer: IdempotentProducer,
    private readonly source: MirrorSourceKind,
    private readonly limits: SendLimits = {
      maxMessageBytes: KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
      maxRequestBytes: KAFKA_DEFAULT_MAX_REQUEST_BYTES,
    },
  ) {
    this.consumerName = `legacy-mirror-${source}`;
  }

  async publish(records: readonly MirroredRecord[]): Promise<PublishResult> {
    const events: { event: LegacyEvent; position: string; transaction: number }[] = [];
    const poison: TopicMessage[] = [];
    for (const record of records) {
      if ('unmappable' in record.mapped) {
        poison.push(this.deadLetter(record.mapped.unmappable, record.position, record.raw));
      } else {
        for (const event of record.mapped.events) {
          events.push({ event, position: record.position, transaction: record.transaction ?? 0 });
        }
      }
    }
    // Per order in lifecycle order, even when one transaction's facts came from several tables
    // (the sort is stable, and different orders go to different keys anyway); transactions in
    // the order they committed.
    events.sort((a, b) => a.transaction - b.transaction || a.event.sequence - b.event.sequence);
    const messages: TopicMessage[] = [
      ...events.map(({ event, position }) => ({
        topic: TOPICS.legacyOrderEvents,
        position,
        key: event.orderId,
        value: JSON.stringify(event),
        headers: { 'event-id': event.eventId, 'event-type': event.eventType },
      })),
      ...poison,
    ];
    const { sends, oversized } = splitIntoSends(messages, this.limits);
    // Too large to send: a dead letter that names it instead (sent after the rest, so a
    // transaction's good facts are never held up by its one bad one).
    const named = oversized.map(({ message, bytes }) => this.oversizedLetter(message, bytes));
    const all = [...sends, ...(named.length > 0 ? splitIntoSends(named, this.limits).sends : [])];
    for (const send of all) {
      const byTopic = new Map<string, OutgoingMessage[]>();
      for (const { topic, key, value, headers } of send) {
        const list = byTopic.get(topic) ?? [];
        list.push({ key, value, headers });
        byTopic.set(topic, list);
      }
      await this.producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, topicMessages]) => ({
          topic,
          messages: topicMessages,
        })),
      });
    }
    const oversizedFacts = oversized.filter((o) => o.message.topic === TOPICS.legacyOrderEvents);
    return {
      events: events.length - oversizedFacts.length,
      // The poison records (some maybe replaced by a named letter) plus the facts too large.
      deadLettered: poison.length + oversizedFacts.length,
      oversized: named.length,
      sends: all.length,
    };
  }

  private deadLetter(reason: string, position: string, raw: unknown): TopicMessage {
    return {
      topic: deadLetterTopic(TOPICS.legacyOrderEvents),
      position,
      value: JSON.stringify(raw),
      headers: {
        'x-dlq-reason': reason,
        // A row the mapping cannot read is bad in itself: waiting changes nothing.
        'x-dlq-class': 'poison',
        'x-dlq-consumer': this.consumerName,
        'x-mirror-source': this.source,
        'x-source-position': position,
      },
    };
  }

  /** The dead letter sent in place of a message too large for the broker: who, not what. */
  private oversizedLetter(message: TopicMessage, bytes: number): TopicMessage {
    const limit = describeBytes(sendBudgetBytes(this.limits));
    const tooLarge = `too large: ${describeBytes(bytes)} over the ${limit} Kafka accepts`;
    const original = message.headers ?? {};
    const isFact = message.topic === TOPICS.legacyOrderEvents;
    const reason = isFact
      ? `${tooLarge}; fact not sent`
      : `${original['x-dlq-reason'] ?? 'unmappable'}; ${tooLarge}: source record omitted`;
    return {
      topic: deadLetterTopic(TOPICS.legacyOrderEvents),
      position: message.position,
      key: message.key ?? null,
      // The body cannot fit: what it was and where it came from, to re-mirror it from there.
      value: JSON.stringify({
        omitted: isFact ? 'fact' : 'source record',
        bytes,
        eventId: original['event-id'],
        eventType: original['event-type'],
        orderId: message.key ?? undefined,
        position: message.position,
      }),
      headers: {
        ...original,
        'x-dlq-reason': reason,
        'x-dlq-class': 'poison',
        ...(isFact && original['event-id'] ? { 'x-dlq-event-id': original['event-id'] } : {}),
        'x-dlq-consumer': this.consumerName,
        'x-mirror-source': this.source,
        'x-source-position': message.position,
        'x-dlq-oversized-bytes': String(bytes),
      },
    };
  }
}
