import {
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  KAFKA_DEFAULT_MAX_REQUEST_BYTES,
  messageBytes,
  sendBudgetBytes,
  splitIntoSends,
} from './send-limits';

const kafkaDefaults = {
  maxMessageBytes: KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  maxRequestBytes: KAFKA_DEFAULT_MAX_REQUEST_BYTES,
};
const fact = (i: number, bytes: number) => ({
  key: `L-${i % 7}`,
  value: `${i}:`.padEnd(bytes, 'x'),
  headers: { 'event-id': `e-${i}` },
});
const total = (messages: { value: string }[]) => messages.reduce((n, m) => n + m.value.length, 0);

describe('cutting a transaction into sends Kafka accepts', () => {
  it('cuts 10 MB of facts into sends each under the message and request limits, losing and repeating none, in order', () => {
    const facts = Array.from({ length: 2_000 }, (_, i) => fact(i, 5_000));
    const { sends, oversized } = splitIntoSends(facts, kafkaDefaults);
    expect(total(facts)).toBeGreaterThanOrEqual(10_000_000);
    expect(oversized).toEqual([]);
    expect(sends.length).toBeGreaterThanOrEqual(10);
    for (const send of sends) {
      const bytes = send.reduce((n, m) => n + messageBytes(m), 0);
      expect(bytes).toBeLessThanOrEqual(sendBudgetBytes(kafkaDefaults));
    }
    expect(sends.flat()).toEqual(facts);
  });

  it('keeps the smaller of the two limits: a broker configured below the producer wins', () => {
    const limits = { maxMessageBytes: 100_000, maxRequestBytes: KAFKA_DEFAULT_MAX_REQUEST_BYTES };
    const { sends } = splitIntoSends(
      Array.from({ length: 100 }, (_, i) => fact(i, 9_000)),
      limits,
    );
    expect(Math.max(...sends.map((s) => total(s)))).toBeLessThan(100_000);
    expect(sends.flat()).toHaveLength(100);
  });

  it('sets aside a single message over the limit, with its size, and sends the rest around it in order', () => {
    const facts = [fact(1, 100), fact(2, 2_000_000), fact(3, 100)];
    const { sends, oversized } = splitIntoSends(facts, kafkaDefaults);
    expect(sends).toEqual([[facts[0], facts[2]]]);
    expect(oversized).toEqual([{ message: facts[1], bytes: messageBytes(facts[1]!) }]);
    expect(oversized[0]!.bytes).toBeGreaterThan(2_000_000);
  });

  it('counts multi-byte characters as bytes, not characters', () => {
    const ascii = messageBytes({ value: 'a'.repeat(1_000) });
    const euro = messageBytes({ value: '€'.repeat(1_000) });
    expect(euro - ascii).toBe(2_000);
  });

  it('sends nothing for nothing', () => {
    expect(splitIntoSends([], kafkaDefaults)).toEqual({ sends: [], oversized: [] });
  });
});
