/**
 * Publishes the order workflow's lifecycle events to `orders.lifecycle.v1`. The key is the order
 * id, so every event of one order lands on one partition and is read in the order it was
 * written; the value is the JSON envelope, and the headers repeat what a consumer routes or
 * dedupes by without parsing it. The contract is at-least-once: a retried activity publishes the
 * same event again, with the same deterministic event id, and consumers' inboxes drop the copy.
 * Nothing here pretends to be exactly-once.
 *
 * The producer has one request in flight (runtime/src/kafka.ts: kafkajs's idempotence needs it),
 * so every workflow of the worker publishing at once would wait for the others' round trips one
 * after the other. Events that arrive while a request is under way go together in the next one
 * (up to MAX_BATCH_MESSAGES or MAX_BATCH_BYTES); each publish still resolves only once the
 * broker acknowledged its own event. A request that fails is sent again one event at a time, so
 * each publish fails only for its own event.
 */
import type { Kafka, Message } from 'kafkajs';
import { TOPICS, type LifecycleEvent } from '@order-platform/domain';
import { createIdempotentProducer, type IdempotentProducer } from '@order-platform/runtime';
import type { LifecycleEventPublisher } from './lifecycle-events.port';

const MAX_BATCH_MESSAGES = 500;
/** Well under the broker's default message.max.bytes (1 MiB) for a batch. */
const MAX_BATCH_BYTES = 512 * 1024;

interface Waiting {
  message: Message;
  bytes: number;
  settle: (error?: unknown) => void;
}

export class KafkaLifecyclePublisher implements LifecycleEventPublisher {
  private readonly producer: IdempotentProducer;
  private connecting: Promise<void> | null = null;
  private readonly waiting: Waiting[] = [];
  private sending = false;

  constructor(kafka: Kafka) {
    this.producer = createIdempotentProducer(kafka);
  }

  async publish(event: LifecycleEvent): Promise<void> {
    await this.connected();
    const message = lifecycleMessage(event);
    await new Promise<void>((resolve, reject) => {
      this.waiting.push({
        message,
        bytes: Buffer.byteLength(message.value as string),
        settle: (error) => (error === undefined ? resolve() : reject(error)),
      });
      if (!this.sending) void this.sendWaiting();
    });
  }

  /** Sends what waits, a batch per request, until nothing does. */
  private async sendWaiting(): Promise<void> {
    this.sending = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.nextBatch();
        try {
          await this.send(batch.map((waiting) => waiting.message));
          for (const waiting of batch) waiting.settle();
        } catch (error) {
          if (batch.length === 1) batch[0]!.settle(error);
          else await this.sendOneByOne(batch);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  private nextBatch(): Waiting[] {
    let bytes = 0;
    let count = 0;
    for (const waiting of this.waiting) {
      if (count === MAX_BATCH_MESSAGES || (count > 0 && bytes + waiting.bytes > MAX_BATCH_BYTES))
        break;
      bytes += waiting.bytes;
      count += 1;
    }
    return this.waiting.splice(0, count);
  }

  private async sendOneByOne(batch: Waiting[]): Promise<void> {
    for (const waiting of batch) {
      try {
        await this.send([waiting.message]);
        waiting.settle();
      } catch (error) {
        waiting.settle(error);
      }
    }
  }

  private async send(messages: Message[]): Promise<void> {
    await this.producer.send({ topic: TOPICS.orderLifecycle, messages });
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
