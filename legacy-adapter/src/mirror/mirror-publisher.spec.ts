import { deadLetterTopic, legacyEvent, TOPICS } from '@order-platform/domain';
import type { IdempotentProducer } from '@order-platform/runtime';
import { eventsFromOutbox } from './legacy-mapping';
import { MirrorPublisher, type MirroredRecord } from './mirror-publisher';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES, KAFKA_DEFAULT_MAX_REQUEST_BYTES } from './send-limits';

type Batch = Parameters<IdempotentProducer['sendBatch']>[0];

function recordingProducer(): IdempotentProducer & { batches: Batch[] } {
  const batches: Batch[] = [];
  return {
    batches,
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: async () => [],
    sendBatch: async (batch) => {
      batches.push(batch);
      return [];
    },
  };
}

const at = '2026-11-29T10:00:00.000Z';
const placed = (orderId: string, lineCount: number): MirroredRecord => ({
  mapped: {
    events: [
      legacyEvent(orderId, 'LegacyOrderPlaced', at, {
        customerId: 'c-1',
        lines: Array.from({ length: lineCount }, (_, i) => ({
          sku: `SKU-${i}-${'x'.repeat(40)}`,
          quantity: 1,
          unitPriceMinor: 100,
        })),
        totalMinor: 100 * lineCount,
        currency: 'EUR',
        expedited: false,
      }),
    ],
  },
  position: `lsn:0/${orderId}`,
  raw: { orderId },
});

const onTopic = (batches: Batch[], topic: string) =>
  batches.flatMap((b) =>
    b.topicMessages!.filter((t) => t.topic === topic).flatMap((t) => t.messages),
  );

describe('the mirror publisher', () => {
  const limits = {
    maxMessageBytes: KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
    maxRequestBytes: KAFKA_DEFAULT_MAX_REQUEST_BYTES,
  };

  it('sends a large transaction in several requests, every fact once', async () => {
    const producer = recordingProducer();
    const records = Array.from({ length: 200 }, (_, i) => placed(`L-${i}`, 1_000));
    const result = await new MirrorPublisher(producer, 'cdc', limits).publish(records);
    const sent = onTopic(producer.batches, TOPICS.legacyOrderEvents);
    expect(producer.batches.length).toBeGreaterThan(1);
    expect(sent.map((m) => m.key)).toEqual(records.map((_, i) => `L-${i}`));
    expect(result).toMatchObject({ events: 200, deadLettered: 0, oversized: 0 });
  });

  it('keeps the commit order of several transactions sent together, sorting facts by lifecycle only within one', async () => {
    const producer = recordingProducer();
    const fact = (type: 'LegacyOrderCancelled' | 'LegacyOrderPlaced', transaction: number) => ({
      mapped: { events: [legacyEvent('O-1', type, at, {} as never)] },
      position: `lsn:0/${transaction}`,
      raw: {},
      transaction,
    });
    // A late fact of an earlier lifecycle step, committed after a later one: sent as committed.
    await new MirrorPublisher(producer, 'cdc', limits).publish([
      fact('LegacyOrderCancelled', 0),
      fact('LegacyOrderPlaced', 1),
    ]);
    expect(
      onTopic(producer.batches, TOPICS.legacyOrderEvents).map(
        (m) => (JSON.parse(String(m.value)) as { eventType: string }).eventType,
      ),
    ).toEqual(['LegacyOrderCancelled', 'LegacyOrderPlaced']);
  });

  it('dead-letters a fact over the broker limit by name, reason and position, and sends the others', async () => {
    const producer = recordingProducer();
    const result = await new MirrorPublisher(producer, 'cdc', limits).publish([
      placed('L-small', 1),
      placed('L-huge', 30_000),
      placed('L-after', 1),
    ]);
    expect(onTopic(producer.batches, TOPICS.legacyOrderEvents).map((m) => m.key)).toEqual([
      'L-small',
      'L-after',
    ]);
    const [letter] = onTopic(producer.batches, deadLetterTopic(TOPICS.legacyOrderEvents));
    expect(letter!.key).toBe('L-huge');
    expect(letter!.headers).toMatchObject({
      'x-dlq-reason': expect.stringMatching(
        /^too large: .* over the .* Kafka accepts; fact not sent$/,
      ),
      'x-dlq-consumer': 'legacy-mirror-cdc',
      'x-mirror-source': 'cdc',
      'x-source-position': 'lsn:0/L-huge',
      'event-id': 'legacy-monolith:L-huge:LegacyOrderPlaced',
    });
    expect(JSON.parse(String(letter!.value))).toMatchObject({
      omitted: 'fact',
      eventId: 'legacy-monolith:L-huge:LegacyOrderPlaced',
      eventType: 'LegacyOrderPlaced',
      orderId: 'L-huge',
      position: 'lsn:0/L-huge',
    });
    expect(result).toMatchObject({ events: 2, deadLettered: 1, oversized: 1 });
  });

  it('parks a malformed outbox row with its reason instead of throwing', async () => {
    const producer = recordingProducer();
    const malformed = {
      id: '7',
      aggregate_id: 'L-7',
      event_type: 'StockReserved',
      payload: { lines: [null] },
      occurred_at: new Date(at),
    };
    const result = await new MirrorPublisher(producer, 'outbox', limits).publish([
      { mapped: eventsFromOutbox(malformed), position: 'outbox:7', raw: malformed },
    ]);
    const [letter] = onTopic(producer.batches, deadLetterTopic(TOPICS.legacyOrderEvents));
    expect(letter!.headers).toMatchObject({
      'x-dlq-reason': expect.stringMatching(/^malformed: /),
      'x-mirror-source': 'outbox',
      'x-source-position': 'outbox:7',
    });
    expect(result).toMatchObject({ events: 0, deadLettered: 1 });
  });
});
