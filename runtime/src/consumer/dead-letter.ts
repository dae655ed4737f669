/**
 * The dead letter the reliable consumer sends for a message it gives up on: the original key,
 * value and headers, unchanged so the message can be replayed once the cause is fixed, plus
 * `x-dlq-*` headers saying why (the reason, truncated), where it came from (topic, partition,
 * offset), how many handler attempts it had, which consumer gave up, what kind of failure it was
 * (`poison`: undecodable or against the contract; `bad`: refused for what it says;
 * `unclassified`: a failure retried until its attempts were spent), its event id when known and
 * when it happened. A replayed message carries `x-dlq-replay-of` (stores/src/dead-letters/): a
 * dead letter of it says which record it came back from. Fields are only ever added here, never
 * renamed: the DLQ index and the runbook read them.
 */
import { type KafkaMessage, type ProducerRecord } from 'kafkajs';
import { type MessageContext } from './message';

const MAX_REASON_LENGTH = 1_000;

export type DeadLetterClass = 'poison' | 'bad' | 'unclassified';

export interface DeadLetter {
  /** The dead-letter topic of the message's topic. */
  topic: string;
  /** The consumer (group) that gives up on the message. */
  consumer: string;
  reason: string;
  /** Handler runs spent on it; 0 for poison, which never reaches the handler. */
  attempts: number;
  kind: DeadLetterClass;
  /** The message's event id, when it could be read. */
  eventId?: string;
}

export function deadLetterRecord(
  message: KafkaMessage,
  context: MessageContext,
  { topic, consumer, reason, attempts, kind, eventId }: DeadLetter,
): Omit<ProducerRecord, 'acks'> {
  return {
    topic,
    messages: [
      {
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          // Error messages can be long (SQL, stacks); a header is no place for all of it.
          'x-dlq-reason': reason.slice(0, MAX_REASON_LENGTH),
          'x-dlq-source-topic': context.topic,
          'x-dlq-source-partition': String(context.partition),
          'x-dlq-source-offset': context.offset,
          'x-dlq-attempts': String(attempts),
          'x-dlq-consumer': consumer,
          'x-dlq-class': kind,
          'x-dlq-failed-at': new Date().toISOString(),
          ...(eventId === undefined
            ? {}
            : { 'x-dlq-event-id': eventId.slice(0, MAX_REASON_LENGTH) }),
        },
      },
    ],
  };
}
