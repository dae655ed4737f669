import type { KafkaMessage } from 'kafkajs';
import { deadLetterEntry, dedupeKeyOf } from './dead-letter-indexer';

const message = (headers: Record<string, string>, value = '{"a":1}'): KafkaMessage => ({
  key: Buffer.from('order-1'),
  value: Buffer.from(value),
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
  offset: '7',
  timestamp: String(Date.parse('2026-11-29T10:00:00.000Z')),
  attributes: 0,
});
const at = { topic: 'legacy.order-events.v1.dlq', partition: 2, offset: '7' };

describe('the DLQ indexer reading a dead letter', () => {
  it("reads the reliable consumer's headers into the row, the replay link included", () => {
    const entry = deadLetterEntry(
      message({
        'x-dlq-reason': 'bad: 23514 refused',
        'x-dlq-source-topic': 'legacy.order-events.v1',
        'x-dlq-source-partition': '1',
        'x-dlq-source-offset': '42',
        'x-dlq-attempts': '1',
        'x-dlq-consumer': 'legacy-signal-bridge',
        'x-dlq-class': 'bad',
        'x-dlq-failed-at': '2026-11-29T10:00:05.000Z',
        'x-dlq-event-id': 'legacy-monolith:L-1:LegacyOrderPlaced',
        'x-dlq-replay-of': '17',
      }),
      at,
    );
    expect(entry).toEqual(
      expect.objectContaining({
        dlqTopic: at.topic,
        dlqPartition: 2,
        dlqOffset: '7',
        sourceTopic: 'legacy.order-events.v1',
        sourcePartition: 1,
        sourceOffset: '42',
        consumer: 'legacy-signal-bridge',
        class: 'bad',
        reason: 'bad: 23514 refused',
        attempts: 1,
        eventId: 'legacy-monolith:L-1:LegacyOrderPlaced',
        failedAt: new Date('2026-11-29T10:00:05.000Z'),
        replayOf: '17',
      }),
    );
  });

  it("reads the mirror's and older dead letters too: no source topic, poison told by its reason", () => {
    const mirror = deadLetterEntry(
      message({
        'x-dlq-reason': 'poison: unmappable row',
        'x-dlq-consumer': 'legacy-mirror-cdc',
        'x-source-position': '0/16B6C50',
      }),
      at,
    );
    expect(mirror).toEqual(
      expect.objectContaining({
        sourceTopic: undefined,
        class: 'poison',
        failedAt: new Date('2026-11-29T10:00:00.000Z'),
        replayOf: undefined,
      }),
    );
    expect(deadLetterEntry(message({}), at)).toEqual(
      expect.objectContaining({ consumer: 'unknown', reason: 'no reason given' }),
    );
  });

  it('keys the same dead letter sent twice alike, and different ones apart', () => {
    const headers = {
      'x-dlq-consumer': 'stage-comparator',
      'x-dlq-source-topic': 't',
      'x-dlq-source-partition': '0',
      'x-dlq-source-offset': '5',
      'x-dlq-failed-at': 'a time',
    };
    const again = { ...headers, 'x-dlq-failed-at': 'a later time' };
    expect(dedupeKeyOf(headers, null)).toBe(dedupeKeyOf(again, Buffer.from('x')));
    expect(dedupeKeyOf(headers, null)).not.toBe(
      dedupeKeyOf({ ...headers, 'x-dlq-consumer': 'legacy-signal-bridge' }, null),
    );
    // A parked fact given up on has no position: its event and when it was given up on tell.
    const parked = { 'x-dlq-consumer': 'b', 'x-dlq-event-id': 'e-1', 'x-dlq-failed-at': 't1' };
    expect(dedupeKeyOf(parked, null)).not.toBe(
      dedupeKeyOf({ ...parked, 'x-dlq-event-id': 'e-2' }, null),
    );
    expect(dedupeKeyOf(parked, null)).not.toBe(
      dedupeKeyOf({ ...parked, 'x-dlq-failed-at': 't2' }, null),
    );
    // Nothing says where it came from: its bytes do.
    expect(dedupeKeyOf({}, Buffer.from('a'))).not.toBe(dedupeKeyOf({}, Buffer.from('b')));
    // The mirror's letters of one monolith transaction share its position: each row or fact
    // is its own dead letter, and the same one sent again is still one.
    const cdc = { 'x-dlq-consumer': 'legacy-mirror-cdc', 'x-source-position': 'lsn:0/AA' };
    expect(dedupeKeyOf(cdc, Buffer.from('row 1'))).not.toBe(dedupeKeyOf(cdc, Buffer.from('row 2')));
    expect(dedupeKeyOf(cdc, Buffer.from('row 1'))).toBe(dedupeKeyOf(cdc, Buffer.from('row 1')));
    expect(dedupeKeyOf({ ...cdc, 'x-dlq-event-id': 'e-1' }, null)).not.toBe(
      dedupeKeyOf({ ...cdc, 'x-dlq-event-id': 'e-2' }, null),
    );
  });

  it('keeps what a sender wrote out of range or pointing at a dead-letter topic out of the row', () => {
    const entry = deadLetterEntry(
      message({
        'x-dlq-consumer': 'c',
        'x-dlq-attempts': '99999999999',
        'x-dlq-source-partition': '-99999999999',
        'x-dlq-source-topic': 'legacy.order-events.v1.dlq',
      }),
      at,
    );
    expect(entry).toEqual(
      expect.objectContaining({
        attempts: undefined,
        sourcePartition: undefined,
        sourceTopic: undefined,
      }),
    );
  });
});
