/**
 * Replaying dead letters, one way for the CLI (`npm run dlq`) and the operator API: the store
 * selects and locks the rows, the original messages go back to their source topics through an
 * idempotent producer, and the replay is recorded in each row's history and the operator audit
 * in the same transaction. A letter whose source topic Kafka no longer has is answered as not
 * replayable at once, and the others go. The consumers' inboxes make a replay of something
 * already applied a duplicate, so replaying twice has no effect; what fails again comes back as
 * a new dead letter.
 */
import type { Kafka } from 'kafkajs';
import { createIdempotentProducer, type IdempotentProducer } from '@order-platform/runtime';
import type {
  DeadLetterStore,
  ReplayMessage,
  ReplayOutcome,
  ReplaySelection,
} from '@order-platform/stores';

/** What a replay needs of Kafka. */
export interface ReplayKafka {
  producer: Pick<IdempotentProducer, 'sendBatch'>;
  /** The topics Kafka has now: a letter of a topic that is gone is not replayable. */
  listTopics: () => Promise<string[]>;
}

/** A replay's producer and admin client, connected; `disconnect` closes both. */
export async function connectReplayKafka(
  kafka: Kafka,
): Promise<ReplayKafka & { disconnect: () => Promise<void> }> {
  const producer = createIdempotentProducer(kafka);
  const admin = kafka.admin();
  const disconnect = async () => {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  };
  // Both settled before giving up: one still connecting when the other fails would stay open.
  const connects = await Promise.allSettled([producer.connect(), admin.connect()]);
  const failed = connects.find((c) => c.status === 'rejected');
  if (failed) {
    await disconnect();
    throw failed.reason;
  }
  return { producer, listTopics: () => admin.listTopics(), disconnect };
}

/**
 * Replays the selection. Kafka's topics are read first: a topic deleted between that read and
 * the send still fails the send after Kafka's retries (nothing is replayed, the caller is told).
 */
export async function replayDeadLetters(
  store: DeadLetterStore,
  kafka: ReplayKafka,
  selection: ReplaySelection,
  by: { operatorId: string; reason: string },
): Promise<ReplayOutcome> {
  const existingTopics = new Set(await kafka.listTopics());
  return store.replay(
    selection,
    by,
    async (messages: ReplayMessage[]) => {
      const byTopic = new Map<string, ReplayMessage[]>();
      for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
      await kafka.producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map(({ key, value, headers }) => ({ key, value, headers })),
        })),
      });
    },
    existingTopics,
  );
}
