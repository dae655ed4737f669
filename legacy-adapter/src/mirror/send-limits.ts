/**
 * Kafka refuses a record batch over the broker's `message.max.bytes` (or the topic's
 * `max.message.bytes`) and a Java producer refuses a request over its `max.request.size`; a
 * refused send is retried from the same position for ever. So the mirror cuts what it sends
 * into requests under both limits, and a single message that is over the limit on its own is
 * not sent at all: the caller dead-letters it (with its reason and position) and goes on.
 * Sizes are estimated on the uncompressed record (the platform's producers do not compress),
 * with the record and request overheads of the v2 record format counted generously.
 */

/** Kafka's defaults: broker `message.max.bytes` and producer `max.request.size`. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
export const KAFKA_DEFAULT_MAX_REQUEST_BYTES = 1_048_576;

/** Per record: length, attributes, timestamp and offset deltas, varint lengths, with room. */
const RECORD_OVERHEAD_BYTES = 64;
/** Per request: the record batch header, the request header and topic/partition names. */
const REQUEST_OVERHEAD_BYTES = 4_096;

export interface SendLimits {
  maxMessageBytes: number;
  maxRequestBytes: number;
}

export interface OutgoingMessage {
  key?: string | null;
  value: string;
  headers?: Record<string, string>;
}

/** What a message weighs on the wire, estimated from above. */
export function messageBytes(message: OutgoingMessage): number {
  let bytes = RECORD_OVERHEAD_BYTES + Buffer.byteLength(message.value);
  if (message.key) bytes += Buffer.byteLength(message.key);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value) + 8;
  }
  return bytes;
}

/** The most one send may carry: every partition's batch in it is then under the limits too. */
export function sendBudgetBytes(limits: SendLimits): number {
  return Math.min(limits.maxMessageBytes, limits.maxRequestBytes) - REQUEST_OVERHEAD_BYTES;
}

export interface Split<M> {
  /** Sends in the order given; each under the budget. Order within the input is kept. */
  sends: M[][];
  /** Messages too large to send on their own, with their size. */
  oversized: { message: M; bytes: number }[];
}

/**
 * Cuts messages into consecutive sends under the budget, keeping their order (per key order
 * follows). A message over the budget on its own is set aside, never sent.
 */
export function splitIntoSends<M extends OutgoingMessage>(
  messages: readonly M[],
  limits: SendLimits,
): Split<M> {
  const budget = sendBudgetBytes(limits);
  const sends: M[][] = [];
  const oversized: Split<M>['oversized'] = [];
  let current: M[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    const bytes = messageBytes(message);
    if (bytes > budget) {
      oversized.push({ message, bytes });
      continue;
    }
    if (currentBytes + bytes > budget && current.length > 0) {
      sends.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += bytes;
  }
  if (current.length > 0) sends.push(current);
  return { sends, oversized };
}

export const describeBytes = (bytes: number): string =>
  bytes >= 1_048_576
    ? `${(bytes / 1_048_576).toFixed(1)} MiB`
    : bytes >= 1024
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${bytes} B`;
