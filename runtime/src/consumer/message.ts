/**
 * What the reliable consumer knows about one Kafka message as it works on it: where it came from
 * (the context handed to the handler and written into a dead letter), whether it can ever be
 * applied (poison goes straight to the dead-letter topic) and what finally became of it, the
 * outcome the processed-messages metric counts.
 */

/** What `decode` returns for a message that can never be applied: it goes straight to the DLQ. */
export interface Poison {
  poison: string;
}

export interface MessageContext {
  topic: string;
  partition: number;
  offset: string;
}

/** Applied, already in the inbox, or sent to the dead-letter topic. */
export type Outcome = 'applied' | 'duplicate' | 'dlq';

export const isPoison = (value: unknown): value is Poison =>
  typeof value === 'object' && value !== null && typeof (value as Poison).poison === 'string';

/** The text of a failure, for logs and the dead letter's reason. */
export const describeError = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
