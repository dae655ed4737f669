import { type Kafka, logLevel, Partitioners, type ProducerConfig } from 'kafkajs';
import { createKafka, createIdempotentProducer, kafkaLogCreator } from './kafka';
import { createLogger } from './logger';

function capturingLogger(minimum: 'debug' | 'warn' = 'debug') {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger('test', minimum, (line) => lines.push(JSON.parse(line))) };
}

describe('Kafka clients of the platform', () => {
  it('writes kafkajs logs as our JSON lines, with its namespace and fields, without its timestamp', () => {
    const { lines, logger } = capturingLogger();
    const log = kafkaLogCreator(logger)(logLevel.WARN);
    log({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        timestamp: '2026-01-01T00:00:00.000Z',
        logger: 'kafkajs',
        message: 'Connection timeout',
        broker: '127.0.0.1:1',
      },
    });
    log({
      namespace: 'Producer',
      level: logLevel.WARN,
      label: 'WARN',
      log: { timestamp: 'x', message: 'slow' },
    });

    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        service: 'test',
        message: 'Connection timeout',
        component: 'kafkajs',
        namespace: 'Connection',
        broker: '127.0.0.1:1',
      }),
      expect.objectContaining({ level: 'warn', message: 'slow', namespace: 'Producer' }),
    ]);
    expect(lines[0]).not.toHaveProperty('timestamp');
    expect(lines[0]).not.toHaveProperty('logger');
  });

  it('creates a producer without a warning (the partitioner is explicit)', () => {
    const { lines, logger } = capturingLogger();
    createIdempotentProducer(createKafka({ clientId: 'quiet', brokers: ['127.0.0.1:1'], logger }));
    expect(lines).toEqual([]);
  });

  it('refuses a client without brokers', () => {
    expect(() => createKafka({ clientId: 'nowhere', brokers: [] })).toThrow('no brokers');
  });

  describe('the idempotent producer', () => {
    const config: ProducerConfig[] = [];
    const sent: unknown[] = [];
    const fakeKafka = {
      producer: (producerConfig: ProducerConfig) => {
        config.push(producerConfig);
        return {
          send: async (record: unknown) => (sent.push(record), []),
          sendBatch: async (batch: unknown) => (sent.push(batch), []),
        };
      },
    } as unknown as Kafka;

    beforeEach(() => {
      config.length = 0;
      sent.length = 0;
    });

    it('is idempotent, one request in flight, Java-compatible partitioning, no topic creation', () => {
      createIdempotentProducer(fakeKafka);
      expect(config).toEqual([
        {
          idempotent: true,
          maxInFlightRequests: 1,
          createPartitioner: Partitioners.DefaultPartitioner,
          allowAutoTopicCreation: false,
        },
      ]);
    });

    it('always sends with acks=all, whatever the caller passes', async () => {
      const producer = createIdempotentProducer(fakeKafka);
      const sneaky = { topic: 't', messages: [{ value: 'v' }], acks: 0 };
      await producer.send(sneaky);
      await producer.sendBatch({ topicMessages: [{ topic: 't', messages: [] }] });
      expect(sent).toEqual([
        { topic: 't', messages: [{ value: 'v' }], acks: -1 },
        { topicMessages: [{ topic: 't', messages: [] }], acks: -1 },
      ]);
    });
  });
});
