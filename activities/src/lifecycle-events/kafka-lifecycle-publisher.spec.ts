import type { Kafka, ProducerRecord } from 'kafkajs';
import { lifecycleEvent } from '@order-platform/domain';
import { KafkaLifecyclePublisher, lifecycleMessage } from './kafka-lifecycle-publisher';

/** A stand-in for kafkajs's producer that records what the publisher asks of it. */
function fakeKafka(connect: () => Promise<void> = async () => undefined) {
  const calls = { connect: 0, disconnect: 0, sent: [] as ProducerRecord[] };
  const kafka = {
    producer: () => ({
      connect: async () => {
        calls.connect += 1;
        await connect();
      },
      disconnect: async () => {
        calls.disconnect += 1;
      },
      send: async (record: ProducerRecord) => {
        calls.sent.push(record);
        return [];
      },
    }),
  } as unknown as Kafka;
  return { kafka, calls };
}

const accepted = lifecycleEvent('o-1', 1, 'OrderAccepted', '2026-11-23T12:00:00.000Z', {
  totalMinor: 4200,
});

describe('publishing lifecycle events to Kafka', () => {
  it('keys by order id, carries the envelope as JSON and repeats its identity in headers', () => {
    expect(lifecycleMessage(accepted)).toEqual({
      key: 'o-1',
      value: JSON.stringify(accepted),
      headers: {
        eventId: 'order-workflow:o-1:1',
        eventType: 'OrderAccepted',
        schemaVersion: '1',
        source: 'order-workflow',
      },
    });
  });

  it('sends to orders.lifecycle.v1 with acks=all', async () => {
    const { kafka, calls } = fakeKafka();
    await new KafkaLifecyclePublisher(kafka).publish(accepted);
    expect(calls.sent).toEqual([
      { topic: 'orders.lifecycle.v1', messages: [lifecycleMessage(accepted)], acks: -1 },
    ]);
  });

  it('connects once, on the first publish, however many publish at the same moment', async () => {
    const { kafka, calls } = fakeKafka();
    const publisher = new KafkaLifecyclePublisher(kafka);
    expect(calls.connect).toBe(0);
    await Promise.all([1, 2, 3].map((n) => publisher.publish({ ...accepted, sequence: n })));
    await publisher.publish(accepted);
    expect(calls.connect).toBe(1);
    expect(calls.sent).toHaveLength(4);
  });

  it('tries to connect again on the next publish after a failed connect', async () => {
    let fail = true;
    const { kafka, calls } = fakeKafka(async () => {
      if (fail) throw new Error('broker unreachable');
    });
    const publisher = new KafkaLifecyclePublisher(kafka);
    await expect(publisher.publish(accepted)).rejects.toThrow('broker unreachable');
    fail = false;
    await publisher.publish(accepted);
    expect(calls.connect).toBe(2);
    expect(calls.sent).toHaveLength(1);
  });

  it('disconnects only what it connected, and connects again when used afterwards', async () => {
    const { kafka, calls } = fakeKafka();
    const publisher = new KafkaLifecyclePublisher(kafka);
    await publisher.disconnect();
    expect(calls.disconnect).toBe(0);

    await publisher.publish(accepted);
    await publisher.disconnect();
    await publisher.disconnect();
    expect(calls.disconnect).toBe(1);

    await publisher.publish(accepted);
    expect(calls.connect).toBe(2);
  });
});
