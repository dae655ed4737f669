/**
 * Where mirrored facts go: `legacy.order-events.v1`, keyed by order id (per-order order on one
 * partition, the partitioner Java clients use), through the idempotent acks=all producer. A
 * record the mapping could not read goes to the topic's dead-letter topic with the reason and
 * where it came from, and the stream goes on. `publish` resolves only once Kafka has every
 * message, which is when a source may mark its position as done.
 */
import { deadLetterTopic, type LegacyEvent, TOPICS } from '@order-platform/domain';
import type { IdempotentProducer } from '@order-platform/runtime';
import type { Mapped } from './legacy-mapping';

export type MirrorSourceKind = 'cdc' | 'outbox';

export interface MirroredRecord {
  mapped: Mapped;
  /** Where it came from, for the dead-letter headers: an LSN or an outbox id. */
  position: string;
  /** The source record as read, kept whole in the dead-letter message. */
  raw: unknown;
}

export class MirrorPublisher {
  constructor(
    private readonly producer: IdempotentProducer,
    private readonly source: MirrorSourceKind,
  ) {}

  async publish(
    records: readonly MirroredRecord[],
  ): Promise<{ events: number; deadLettered: number }> {
    const events: LegacyEvent[] = [];
    const poison: { reason: string; record: MirroredRecord }[] = [];
    for (const record of records) {
      if ('unmappable' in record.mapped) poison.push({ reason: record.mapped.unmappable, record });
      else events.push(...record.mapped.events);
    }
    // Per order in lifecycle order, even when one transaction's facts came from several tables
    // (the sort is stable, and different orders go to different keys anyway).
    events.sort((a, b) => a.sequence - b.sequence);
    const topicMessages = [];
    if (events.length > 0) {
      topicMessages.push({
        topic: TOPICS.legacyOrderEvents,
        messages: events.map((event) => ({
          key: event.orderId,
          value: JSON.stringify(event),
          headers: { 'event-id': event.eventId, 'event-type': event.eventType },
        })),
      });
    }
    if (poison.length > 0) {
      topicMessages.push({
        topic: deadLetterTopic(TOPICS.legacyOrderEvents),
        messages: poison.map(({ reason, record }) => ({
          value: JSON.stringify(record.raw),
          headers: {
            'x-dlq-reason': reason,
            'x-dlq-consumer': `legacy-mirror-${this.source}`,
            'x-mirror-source': this.source,
            'x-source-position': record.position,
          },
        })),
      });
    }
    if (topicMessages.length > 0) await this.producer.sendBatch({ topicMessages });
    return { events: events.length, deadLettered: poison.length };
  }
}
