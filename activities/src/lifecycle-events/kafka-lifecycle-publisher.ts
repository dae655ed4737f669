/**
 * Publishes the order workflow's lifecycle events to `orders.lifecycle.v1`. The key is the order
 * id, so every event of one order lands on one partition and is read in the order it was
 * written; the value is the JSON envelope, and the headers repeat what a consumer routes or
 * dedupes by without parsing it. The contract is at-least-once: a retried activity publishes the
 * same event again, with the same deterministic event id, and consumers' inboxes drop the copy.
 * Nothing here pretends to be exactly-once.
 */
import type { Kafka, Message } from 'kafkajs';
import { TOPICS, type LifecycleEvent } from '@order-platform/domain';
import { createIdempotentProducer, type IdempotentProducer } from '@order-platform/runtime';
import type { LifecycleEventPublisher } from './lifecycle-events.port';

export class KafkaLifecyclePublisher implements LifecycleEventPublisher {
  private readonly producer: IdempotentProducer;
  private connecting: Promise<void> | null = null;

  constructor(kafka: Kafka) {
    this.producer = createIdempotentProducer(kafka);
  }

  async publish(event: LifecycleEvent): Promise<void> {
    await this.connected();
    await this.producer.send({ topic: TOPICS.orderLifecycle, messages: [lifecycleMessage(event)] });
  }

  /** Flushes nothing (sends are awaited) and closes the connections; safe to call when idle. */
  async disconnect(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = null;
    if (!connecting) return;
    // A connect that failed left nothing open; one still under way is finished, then closed.
    const opened = await connecting.then(
      () => true,
      () => false,
    );
    if (opened) await this.producer.disconnect();
  }

  /**
   * Connects on the first publish, once, however many activities publish at the same moment; a
   * failed connect is forgotten so the activity's retry tries again.
   */
  private connected(): Promise<void> {
    if (!this.connecting) {
      const attempt = this.producer.connect();
      this.connecting = attempt;
      // Only this attempt is forgotten: a disconnect and a newer connect may have replaced it.
      attempt.catch(() => {
        if (this.connecting === attempt) this.connecting = null;
      });
    }
    return this.connecting;
  }
}

/** The Kafka message of one lifecycle event: key, JSON envelope and routing headers. */
export function lifecycleMessage(event: LifecycleEvent): Message {
  return {
    key: event.orderId,
    value: JSON.stringify(event),
    headers: {
      eventId: event.eventId,
      eventType: event.eventType,
      schemaVersion: String(event.schemaVersion),
      source: event.source,
    },
  };
}
