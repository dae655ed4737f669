/**
 * Replaying dead letters, one way for the CLI (`npm run dlq`) and the operator API: the store
 * selects and locks the rows, the original messages go back to their source topics through an
 * idempotent producer, and the replay is recorded in each row's history and the operator audit
 * in the same transaction. The consumers' inboxes make a replay of something already applied a
 * duplicate, so replaying twice has no effect; what fails again comes back as a new dead letter.
 */
import type { IdempotentProducer } from '@order-platform/runtime';
import type {
  DeadLetterStore,
  ReplayMessage,
  ReplayOutcome,
  ReplaySelection,
} from '@order-platform/stores';

export async function replayDeadLetters(
  store: DeadLetterStore,
  producer: Pick<IdempotentProducer, 'sendBatch'>,
  selection: ReplaySelection,
  by: { operatorId: string; reason: string },
): Promise<ReplayOutcome> {
  return store.replay(selection, by, async (messages: ReplayMessage[]) => {
    const byTopic = new Map<string, ReplayMessage[]>();
    for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
    await producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map(({ key, value, headers }) => ({ key, value, headers })),
      })),
    });
  });
}
