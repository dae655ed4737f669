/**
 * One attempt at a message's effect, exactly once: a PostgreSQL transaction that first records
 * the event id in the consumer's inbox and runs the handler only if the id is new, so a
 * redelivered event commits as a duplicate with no effect. A failed attempt rolls back, inbox row
 * included (the transaction is runtime/src/transaction.ts's). A failure of the inbox itself is told apart (classify.ts): a data or constraint error
 * about this message's id is a `BadMessage`; anything else there (no connection, the server
 * restarting) is `DependencyDown('postgres')`, so the caller waits instead of dead-lettering.
 *
 * `applyManyInInbox` is the same for a run of messages of one partition: one transaction, one
 * inbox statement for all their ids, the handler for each new one in order, one commit. It
 * either applies the whole run or none of it; the caller then takes the run one message at a
 * time (process-message.ts), where each failure gets its own answer.
 */
import { type Pool, type PoolClient } from 'pg';
import { recordInInbox, recordManyInInbox } from '@order-platform/stores';
import { inTransaction } from '../transaction';
import { BadMessage, classifyFailure, DependencyDown } from './classify';
import { type MessageContext } from './message';

export interface InboxTransaction<E> {
  pool: Pool;
  /** The inbox key: whose inbox the event id goes into. */
  consumer: string;
  handle: (event: E, tx: PoolClient, context: MessageContext) => Promise<void>;
  /**
   * A run's new events at once (bulk statements), instead of `handle` for each in order; what
   * it writes must be what `handle` one by one would have written.
   */
  handleMany?: (items: readonly InboxItem<E>[], tx: PoolClient) => Promise<void>;
}

/** A failure of the inbox's own work: about the message (bad) or about PostgreSQL (down). */
function inboxFailure(error: unknown): Error {
  const verdict = classifyFailure(error);
  if (verdict.kind === 'bad') return new BadMessage(`inbox refused it: ${verdict.reason}`);
  return new DependencyDown('postgres', error);
}

export async function applyInInbox<E>(
  { pool, consumer, handle }: InboxTransaction<E>,
  event: E,
  eventId: string,
  context: MessageContext,
): Promise<'applied' | 'duplicate'> {
  return inTransaction(
    pool,
    async (tx) => {
      let fresh: boolean;
      try {
        fresh = await recordInInbox(tx, { consumer, eventId, topic: context.topic });
      } catch (error) {
        throw inboxFailure(error);
      }
      if (fresh) await handle(event, tx, context);
      return fresh ? 'applied' : 'duplicate';
    },
    // No connection, or no transaction: nothing about this message, PostgreSQL is away.
    { failedToStart: (error) => new DependencyDown('postgres', error) },
  );
}

/** One decoded message of a run applied together. */
export interface InboxItem<E> {
  event: E;
  id: string;
  context: MessageContext;
}

/**
 * A run of messages of one topic in one transaction, in order; an id seen earlier in the run (or
 * already in the inbox) is a duplicate. `within` runs each new one's handler (in its span).
 * @returns each message's outcome, in the run's order
 */
export async function applyManyInInbox<E>(
  { pool, consumer, handle, handleMany }: InboxTransaction<E>,
  items: readonly InboxItem<E>[],
  within: (item: InboxItem<E>, work: () => Promise<void>) => Promise<void> = (_, work) => work(),
): Promise<('applied' | 'duplicate')[]> {
  return inTransaction(
    pool,
    async (tx) => {
      let fresh: Set<string>;
      try {
        fresh = await recordManyInInbox(tx, {
          consumer,
          eventIds: items.map((item) => item.id),
          topic: items[0]!.context.topic,
        });
      } catch (error) {
        throw inboxFailure(error);
      }
      // Deleted as it is taken: the same id later in the run is a duplicate.
      const outcomes = items.map((item) => (fresh.delete(item.id) ? 'applied' : 'duplicate'));
      const applying = items.filter((_, i) => outcomes[i] === 'applied');
      if (handleMany) {
        if (applying.length > 0) await handleMany(applying, tx);
      } else {
        for (const item of applying) {
          await within(item, () => handle(item.event, tx, item.context));
        }
      }
      return outcomes;
    },
    { failedToStart: (error) => new DependencyDown('postgres', error) },
  );
}
