/**
 * The one place the platform configures its Kafka clients, so every process (worker, gateway,
 * legacy adapter) talks to the broker the same way: TLS and SASL/SCRAM as the environment says
 * (secure-links.ts), kafkajs's own logs go through our JSON
 * logger at WARN and above, and producers are idempotent, wait for every in-sync replica
 * (acks=all), keep one request in flight and partition keys exactly as the Java client does.
 * Delivery stays at-least-once (a retried send or a retried activity can write a message twice);
 * consumers dedupe by event id in their inbox.
 */
import {
  Kafka,
  logLevel,
  Partitioners,
  type logCreator,
  type Message,
  type ProducerBatch,
  type ProducerRecord,
  type RecordMetadata,
} from 'kafkajs';
import { SpanKind } from '@opentelemetry/api';
import { createLogger, type Logger } from './logger';
import { checkKafkaSecurity, type KafkaSecurity, kafkaSecurityFromEnv } from './secure-links';
import { inSpan, traceHeaders } from './tracing';

export interface KafkaClientOptions {
  clientId: string;
  brokers: readonly string[];
  /** Where kafkajs's warnings and errors go; by default a JSON logger named after the client. */
  logger?: Logger;
  /** TLS and SASL; by default from the environment (KAFKA_SSL_*, KAFKA_SASL_*; secure-links.ts). */
  security?: KafkaSecurity;
}

export function createKafka({
  clientId,
  brokers,
  logger = createLogger(clientId, 'warn'),
  security = kafkaSecurityFromEnv(),
}: KafkaClientOptions): Kafka {
  if (brokers.length === 0) throw new Error(`Kafka client ${clientId}: no brokers given`);
  const { ssl, sasl } = checkKafkaSecurity(security);
  return new Kafka({
    clientId,
    brokers: [...brokers],
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    // kafkajs is chatty at INFO (every connect, join and commit); WARN and above is what an
    // operator acts on. KAFKAJS_LOG_LEVEL still raises it while debugging.
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
  });
}

/** Adapts kafkajs's log entries to our logger: its namespace and fields, without its own time. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
      const entry = { component: 'kafkajs', namespace, ...fields };
      switch (level) {
        case logLevel.ERROR:
          return logger.error(message, entry);
        case logLevel.WARN:
          return logger.warn(message, entry);
        case logLevel.INFO:
          return logger.info(message, entry);
        case logLevel.DEBUG:
          return logger.debug(message, entry);
        default:
          return undefined;
      }
    };
}

/** Every write waits for all in-sync replicas: an acknowledged fact survives a broker loss. */
export const ACKS_ALL = -1;

/** A producer whose writes are always acks=all; callers cannot ask for less. */
export interface IdempotentProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: Omit<ProducerRecord, 'acks'>): Promise<RecordMetadata[]>;
  sendBatch(batch: Omit<ProducerBatch, 'acks'>): Promise<RecordMetadata[]>;
}

export function createIdempotentProducer(kafka: Kafka): IdempotentProducer {
  const producer = kafka.producer({
    // The broker drops a batch it already has (producer id + sequence), so kafkajs's own
    // retries cannot duplicate or reorder within a partition. Retries are left at kafkajs's
    // default for idempotent producers (unbounded): a bounded count can lose a message when a
    // write landed but its acknowledgement did not.
    idempotent: true,
    // kafkajs's idempotent producer is experimental: with more than one request in flight a
    // retried batch can arrive behind a later one and fail with "out of order sequence number".
    maxInFlightRequests: 1,
    // Java-compatible murmur2, explicit: a key lands on the partition a Java or Kafka Connect
    // producer would choose, and kafkajs does not warn about its changed default.
    createPartitioner: Partitioners.DefaultPartitioner,
    // The platform's topics are created by the stack; a misspelt topic must fail, not appear.
    allowAutoTopicCreation: false,
  });
  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    send: (record) =>
      inSpan(
        `publish ${record.topic}`,
        { kind: SpanKind.PRODUCER, attributes: messagingAttributes(record) },
        () => producer.send({ ...record, messages: traced(record.messages), acks: ACKS_ALL }),
      ),
    sendBatch: (batch) => {
      const topics = [...new Set((batch.topicMessages ?? []).map(({ topic }) => topic))];
      return inSpan(
        `publish ${topics.join(',')}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'publish',
            'messaging.destination.name': topics.join(','),
          },
        },
        () =>
          producer.sendBatch({
            ...batch,
            topicMessages: batch.topicMessages?.map((entry) => ({
              ...entry,
              messages: traced(entry.messages),
            })),
            acks: ACKS_ALL,
          }),
      );
    },
  };
}

/**
 * Each message carries the publishing span's context in its headers (`traceparent`), so the
 * consumer's span joins the trace that caused the message: the order's journey is one trace.
 */
function traced(messages: Message[]): Message[] {
  const trace = traceHeaders();
  if (Object.keys(trace).length === 0) return messages;
  return messages.map((message) => ({ ...message, headers: { ...message.headers, ...trace } }));
}

const messagingAttributes = (record: Omit<ProducerRecord, 'acks'>) => ({
  'messaging.system': 'kafka',
  'messaging.operation.type': 'publish',
  'messaging.destination.name': record.topic,
  'messaging.batch.message_count': record.messages.length,
  // The platform keys by order id: the span says which order it published for.
  ...(record.messages.length === 1 && typeof record.messages[0]?.key === 'string'
    ? { 'messaging.kafka.message.key': record.messages[0].key }
    : {}),
});
