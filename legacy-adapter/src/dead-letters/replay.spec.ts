import type { Kafka } from 'kafkajs';
import type { DeadLetterStore } from '@order-platform/stores';
import { connectReplayKafka, replayDeadLetters } from './replay';

describe('connecting a replay to Kafka', () => {
  it('closes both clients when one cannot connect, after the other has finished connecting', async () => {
    const closed: string[] = [];
    let producerConnected!: () => void;
    const kafka = {
      producer: () => ({
        connect: () => new Promise<void>((resolve) => (producerConnected = resolve)),
        disconnect: async () => void closed.push('producer'),
      }),
      admin: () => ({
        connect: () => Promise.reject(new Error('KafkaJSConnectionError')),
        disconnect: async () => void closed.push('admin'),
      }),
    } as unknown as Kafka;
    const attempt = connectReplayKafka(kafka);
    await new Promise((resolve) => setImmediate(resolve));
    // The admin has failed, the producer is still connecting: nothing is closed under it yet.
    expect(closed).toEqual([]);
    producerConnected();
    await expect(attempt).rejects.toThrow('KafkaJSConnectionError');
    expect(closed.sort()).toEqual(['admin', 'producer']);
  });
});

describe('replaying dead letters', () => {
  it('hands the store the topics Kafka has, and sends what it selects grouped by topic', async () => {
    const sent: unknown[] = [];
    let topicsGiven: ReadonlySet<string> | undefined;
    const store = {
      replay: async (
        _selection: unknown,
        _by: unknown,
        publish: (messages: unknown[]) => Promise<void>,
        existingTopics?: ReadonlySet<string>,
      ) => {
        topicsGiven = existingTopics;
        await publish([
          { deadLetterId: '1', topic: 'a', key: null, value: null, headers: {} },
          { deadLetterId: '2', topic: 'a', key: null, value: null, headers: {} },
        ]);
        return { replayed: ['1', '2'], notFound: [], notReplayable: ['3'] };
      },
    } as unknown as DeadLetterStore;
    const outcome = await replayDeadLetters(
      store,
      {
        producer: {
          sendBatch: async (batch) => {
            sent.push(batch);
            return [];
          },
        },
        listTopics: async () => ['a', 'b'],
      },
      { all: {} },
      { operatorId: 'ops', reason: 'fixed' },
    );
    expect([...topicsGiven!].sort()).toEqual(['a', 'b']);
    expect(sent).toEqual([
      {
        topicMessages: [
          {
            topic: 'a',
            messages: [
              { key: null, value: null, headers: {} },
              { key: null, value: null, headers: {} },
            ],
          },
        ],
      },
    ]);
    expect(outcome.notReplayable).toEqual(['3']);
  });
});
