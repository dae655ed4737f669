import type { Batch, ConsumerRunConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { Registry } from 'prom-client';
import { ServiceError } from '@temporalio/client';
import { DatabaseError } from 'pg';
import {
  BadMessage,
  RESTART_AFTER_CRASH_MS,
  type ReliableConsumer,
  startReliableConsumer,
  type ReliableConsumerOptions,
} from './reliable-consumer';

interface Event {
  id: string;
  fail?: number | 'always';
}

/** Kafka, PostgreSQL and the consumer's calls to them, in one ordered log. */
function harness(overrides: Partial<ReliableConsumerOptions<Event>> = {}) {
  const log: string[] = [];
  const inbox = new Set<string>();
  const sent: {
    topic: string;
    messages: { key: unknown; value: unknown; headers: Record<string, unknown> }[];
  }[] = [];
  const failures = new Map<string, number>();
  let run: ConsumerRunConfig | undefined;
  let connectFailures = 0;
  let sendFailures = 0;
  let refuseValues = false;
  let aborted = false;
  let pending: string[] = [];
  let heartbeats = 0;
  let runs = 0;
  const handlers: Record<string, (event: { payload: Record<string, unknown> }) => void> = {};

  const client = {
    query: async (sql: string, params: string[] = []) => {
      const verb = sql.split(' ')[0]!;
      log.push(verb);
      if (verb === 'INSERT' && Array.isArray(params[1])) {
        // The inbox's bulk insert: one row per new id, RETURNING the ids it inserted.
        const fresh = [...new Set(params[1] as string[])].filter((id) => !inbox.has(id));
        fresh.forEach((id) => inbox.add(id));
        pending.push(...fresh);
        log[log.length - 1] = `INSERT ${(params[1] as string[]).length}`;
        return { rowCount: fresh.length, rows: fresh.map((event_id) => ({ event_id })) };
      }
      if (verb === 'INSERT') {
        if (inbox.has(params[1]!)) return { rowCount: 0 };
        inbox.add(params[1]!);
        pending.push(params[1]!);
        return { rowCount: 1 };
      }
      const rolledBack = verb === 'ROLLBACK' || (verb === 'COMMIT' && aborted);
      if (rolledBack) pending.forEach((id) => inbox.delete(id));
      if (verb === 'COMMIT' || verb === 'ROLLBACK') pending = [];
      return { command: rolledBack ? 'ROLLBACK' : verb };
    },
    release: () => undefined,
  };
  const pool = {
    connect: async () => {
      if (connectFailures > 0) {
        connectFailures--;
        log.push('connect failed');
        throw new Error('ECONNREFUSED');
      }
      return client;
    },
  } as unknown as Pool;
  const consumer = {
    events: { CRASH: 'crash', GROUP_JOIN: 'join' },
    on: (name: string, handler: (typeof handlers)[string]) => void (handlers[name] = handler),
    connect: async () => undefined,
    disconnect: async () => log.push('consumer disconnected'),
    subscribe: async () => undefined,
    run: async (config: ConsumerRunConfig) => {
      runs++;
      run = config;
    },
    pause: (tps: { partitions: number[] }[]) => log.push(`pause ${tps[0]!.partitions}`),
    resume: (tps: { partitions: number[] }[]) => log.push(`resume ${tps[0]!.partitions}`),
  };
  const kafka = {
    consumer: () => consumer,
    producer: () => ({
      connect: async () => undefined,
      disconnect: async () => log.push('producer disconnected'),
      send: async (record: (typeof sent)[number]) => {
        if (refuseValues && record.messages[0]!.value !== null) {
          log.push('send refused');
          throw Object.assign(new Error('too large'), {
            name: 'KafkaJSProtocolError',
            type: 'MESSAGE_TOO_LARGE',
          });
        }
        if (sendFailures > 0) {
          sendFailures--;
          log.push('send failed');
          throw new Error('KafkaJSConnectionError');
        }
        log.push(`dlq ${record.topic}`);
        sent.push(record);
      },
    }),
  } as unknown as Kafka;
  const registry = new Registry();

  const options: ReliableConsumerOptions<Event> = {
    name: 'test-consumer',
    kafka,
    pool,
    topics: ['t'],
    dlqTopic: (t) => `${t}.dlq`,
    decode: (m) => {
      try {
        return JSON.parse(String(m.value)) as Event;
      } catch {
        return { poison: 'not JSON' };
      }
    },
    eventId: (e) => e.id,
    handle: async (e: Event, tx: PoolClient) => {
      await tx.query('UPDATE effect');
      const failed = failures.get(e.id) ?? 0;
      if (e.fail === 'always' || failed < (e.fail ?? 0)) {
        failures.set(e.id, failed + 1);
        log.push(`handle ${e.id} threw`);
        throw new Error(`boom ${e.id}`);
      }
      log.push(`handle ${e.id}`);
    },
    retry: { attempts: 3, baseMs: 1, maxMs: 2 },
    registry,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    ...overrides,
  };

  const message = (offset: number, value: string): KafkaMessage => ({
    key: Buffer.from('k'),
    value: Buffer.from(value),
    headers: { trace: Buffer.from('abc') },
    offset: String(offset),
    timestamp: String(Date.now() - 5_000),
    attributes: 0,
  });

  /** Delivers one batch of partition 0, as kafkajs would, and waits for it to be handled. */
  async function deliver(values: string[], { firstOffset = 10, highWatermark = 20 } = {}) {
    let running = true;
    await run!.eachBatch!({
      batch: {
        topic: 't',
        partition: 0,
        highWatermark: String(highWatermark),
        messages: values.map((v, i) => message(firstOffset + i, v)),
      } as unknown as Batch,
      resolveOffset: (offset: string) => log.push(`resolve ${offset}`),
      commitOffsetsIfNecessary: async (offsets) =>
        void log.push(`commit ${offsets!.topics[0]!.partitions[0]!.offset}`),
      heartbeat: async () => void heartbeats++,
      isRunning: () => running,
      isStale: () => false,
      pause: () => () => undefined,
      uncommittedOffsets: () => ({ topics: [] }),
    } as EachBatchPayload);
    running = false;
  }

  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const { values } = await registry.getSingleMetric(`order_platform_consumer_${name}`)!.get();
    return values
      .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
      .reduce((sum, v) => sum + v.value, 0);
  };

  return {
    log,
    inbox,
    sent,
    deliver,
    metric,
    heartbeats: () => heartbeats,
    runs: () => runs,
    crash: (restart: boolean) =>
      handlers.crash!({ payload: { error: new Error('UNKNOWN_MEMBER_ID'), restart } }),
    start: () => startReliableConsumer(options),
    failConnections: (n: number) => void (connectFailures = n),
    failSends: (n: number) => void (sendFailures = n),
    refuseLargeSends: () => void (refuseValues = true),
    abortTransactions: () => void (aborted = true),
  };
}

const event = (id: string, fail?: Event['fail']) => JSON.stringify({ id, fail });

describe('the reliable consumer loop', () => {
  it('runs the consumer again after a crash kafkajs will not restart, and leaves its own restarts to it', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const h = harness();
      const consumer = await h.start();
      expect(h.runs()).toBe(1);
      h.crash(true);
      await jest.advanceTimersByTimeAsync(RESTART_AFTER_CRASH_MS);
      expect(h.runs()).toBe(1);
      h.crash(false);
      await jest.advanceTimersByTimeAsync(RESTART_AFTER_CRASH_MS);
      expect(h.runs()).toBe(2);
      // Stopped, it is not run again.
      await consumer.stop();
      h.crash(false);
      await jest.advanceTimersByTimeAsync(RESTART_AFTER_CRASH_MS);
      expect(h.runs()).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('applies in the inbox transaction, then commits the offset, one message at a time', async () => {
    const h = harness();
    await h.start();
    await h.deliver([event('a'), event('b')], { firstOffset: 10, highWatermark: 12 });
    expect(h.log).toEqual([
      ...['BEGIN', 'INSERT', 'UPDATE', 'handle a', 'COMMIT', 'commit 11', 'resolve 10'],
      ...['BEGIN', 'INSERT', 'UPDATE', 'handle b', 'COMMIT', 'commit 12', 'resolve 11'],
    ]);
    expect(await h.metric('processed_total', { outcome: 'applied' })).toBe(2);
    expect(await h.metric('lag')).toBe(0);
  });

  it('skips an event already in the inbox, commits its offset and counts it as a duplicate', async () => {
    const h = harness();
    await h.start();
    await h.deliver([event('a'), event('a')]);
    expect(h.log.slice(7)).toEqual(['BEGIN', 'INSERT', 'COMMIT', 'commit 12', 'resolve 11']);
    expect(await h.metric('processed_total', { outcome: 'duplicate' })).toBe(1);
  });

  it('rolls back a failed attempt and retries until the handler succeeds', async () => {
    const h = harness();
    await h.start();
    await h.deliver([event('a', 2)]);
    expect(h.log.filter((l) => l.startsWith('handle') || l === 'ROLLBACK')).toEqual([
      'handle a threw',
      'ROLLBACK',
      'handle a threw',
      'ROLLBACK',
      'handle a',
    ]);
    expect(h.log.slice(-3)).toEqual(['COMMIT', 'commit 11', 'resolve 10']);
    expect(await h.metric('retries_total')).toBe(2);
    expect(h.heartbeats()).toBe(3); // one per wait, one after the message
    expect(h.sent).toEqual([]);
  });

  it('dead-letters after the last attempt and poison at once, original message and reasons in headers, then goes on', async () => {
    const h = harness();
    await h.start();
    await h.deliver(['{oops', event('a', 'always'), event('b')], { firstOffset: 10 });
    expect(h.sent).toEqual([
      {
        topic: 't.dlq',
        acks: -1,
        messages: [
          {
            key: Buffer.from('k'),
            value: Buffer.from('{oops'),
            headers: {
              trace: Buffer.from('abc'),
              'x-dlq-reason': 'poison: not JSON',
              'x-dlq-source-topic': 't',
              'x-dlq-source-partition': '0',
              'x-dlq-source-offset': '10',
              'x-dlq-attempts': '0',
              'x-dlq-consumer': 'test-consumer',
              'x-dlq-class': 'poison',
              'x-dlq-failed-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
            },
          },
        ],
      },
      {
        topic: 't.dlq',
        acks: -1,
        messages: [
          expect.objectContaining({
            headers: expect.objectContaining({
              'x-dlq-reason': 'handler failed: boom a',
              'x-dlq-source-offset': '11',
              'x-dlq-attempts': '3',
              'x-dlq-class': 'unclassified',
              'x-dlq-event-id': 'a',
            }),
          }),
        ],
      },
    ]);
    // The poison never reaches the database; each dead letter is sent before its offset moves.
    expect(h.log.slice(0, 3)).toEqual(['dlq t.dlq', 'commit 11', 'resolve 10']);
    expect(h.log.filter((l) => l.startsWith('handle a'))).toHaveLength(3);
    expect(h.log.slice(h.log.indexOf('dlq t.dlq', 3))).toEqual([
      ...['dlq t.dlq', 'commit 12', 'resolve 11'],
      ...['BEGIN', 'INSERT', 'UPDATE', 'handle b', 'COMMIT', 'commit 13', 'resolve 12'],
    ]);
    expect(h.inbox.has('a')).toBe(false); // so a replay from the DLQ applies
    expect(await h.metric('processed_total', { outcome: 'dlq' })).toBe(2);
  });

  it('counts a transaction PostgreSQL rolled back at COMMIT as a failure, not as applied', async () => {
    const h = harness();
    await h.start();
    h.abortTransactions();
    await h.deliver([event('a')]);
    expect(h.log.filter((l) => l === 'handle a')).toHaveLength(3);
    expect(await h.metric('processed_total', { outcome: 'applied' })).toBe(0);
    expect(h.sent[0]!.messages[0]!.headers['x-dlq-reason']).toMatch(/transaction was aborted/);
  });

  it('waits out a database outage without spending attempts', async () => {
    const h = harness();
    await h.start();
    h.failConnections(4);
    await h.deliver([event('a')]);
    expect(h.log.filter((l) => l === 'connect failed')).toHaveLength(4);
    expect(h.log.slice(-3)).toEqual(['COMMIT', 'commit 11', 'resolve 10']);
    expect(h.sent).toEqual([]);
  });

  it('dead-letters a message the handler calls bad at once, without retrying, then goes on', async () => {
    const h = harness({
      handle: async (e) => {
        if (e.id === 'refused') throw new BadMessage('order refers to nothing');
        h.log.push(`handle ${e.id}`);
      },
    });
    await h.start();
    await h.deliver([event('refused'), event('b')]);
    expect(h.sent.map((r) => r.messages[0]!.headers)).toEqual([
      expect.objectContaining({
        'x-dlq-reason': 'bad: order refers to nothing',
        'x-dlq-class': 'bad',
        'x-dlq-attempts': '1',
        'x-dlq-event-id': 'refused',
      }),
    ]);
    expect(await h.metric('retries_total')).toBe(0);
    expect(h.log.slice(-3)).toEqual(['COMMIT', 'commit 12', 'resolve 11']);
    expect(h.inbox.has('refused')).toBe(false);
  });

  it('dead-letters a message the inbox refuses for its data (a constraint), not as an outage', async () => {
    const h = harness({
      handle: async () => {
        throw Object.assign(new DatabaseError('duplicate key value', 0, 'error'), {
          code: '23505',
          severity: 'ERROR',
        });
      },
    });
    await h.start();
    await h.deliver([event('a')]);
    expect(h.sent[0]!.messages[0]!.headers['x-dlq-reason']).toBe('bad: 23505 duplicate key value');
  });

  it('holds the partition while a dependency is down, however many tries, never dead-lettering; the wait is a metric', async () => {
    let downFor = 12;
    const seen: { paused: number; waiting: number; health: unknown }[] = [];
    const started: { consumer?: ReliableConsumer } = {};
    const h = harness({
      retry: { attempts: 2, baseMs: 1, maxMs: 4 },
      handle: async (e) => {
        if (downFor-- > 0) {
          if (downFor === 2) {
            seen.push({
              paused: await h.metric('paused', { cause: 'temporal', partition: '0' }),
              waiting: await h.metric('dependency_waiting_seconds', { dependency: 'temporal' }),
              health: started.consumer!.waiting(),
            });
          }
          throw new ServiceError('Failed to signal', {
            cause: Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
              code: 14,
              details: 'No connection established',
              metadata: {},
            }),
          });
        }
        h.log.push(`handle ${e.id}`);
      },
    });
    const consumer = (started.consumer = await h.start());
    await h.deliver([event('a'), event('b')]);
    // Twelve failures against two attempts: an outage spends none of them.
    expect(h.sent).toEqual([]);
    expect(h.log.filter((l) => l.startsWith('handle'))).toEqual(['handle a', 'handle b']);
    expect(seen).toEqual([
      {
        paused: 1,
        waiting: expect.any(Number),
        health: [expect.objectContaining({ topic: 't', partition: 0, dependency: 'temporal' })],
      },
    ]);
    expect(await h.metric('paused')).toBe(0);
    expect(await h.metric('dependency_waiting_seconds')).toBe(0);
    expect(consumer.waiting()).toEqual([]);
  });

  it('dead-letters a message whose event id is missing, as poison', async () => {
    const h = harness();
    await h.start();
    await h.deliver([JSON.stringify({ noId: true })]);
    expect(h.sent[0]!.messages[0]!.headers['x-dlq-reason']).toBe('poison: no event id');
    expect(h.log).not.toContain('BEGIN');
  });

  it('keeps a dead letter until Kafka takes it: the offset does not move before', async () => {
    const h = harness();
    await h.start();
    h.failSends(3);
    await h.deliver(['{oops']);
    expect(h.log.filter((l) => l === 'send failed')).toHaveLength(3);
    expect(h.log.slice(-3)).toEqual(['dlq t.dlq', 'commit 11', 'resolve 10']);
    expect(h.sent).toHaveLength(1);
  });

  it('dead-letters without its value a message the DLQ refuses as too large, rather than waiting forever', async () => {
    const h = harness();
    await h.start();
    h.refuseLargeSends();
    await h.deliver(['{oops']);
    expect(h.sent[0]!.messages[0]!.value).toBeNull();
    expect(h.sent[0]!.messages[0]!.headers['x-dlq-reason']).toBe(
      'poison: not JSON (value of 5 bytes dropped: the DLQ refused it)',
    );
    expect(h.log.slice(-2)).toEqual(['commit 11', 'resolve 10']);
  });

  it('pauses the partition while overloaded, leaving the batch unresolved, and resumes after', async () => {
    let overloaded = true;
    const h = harness({ isOverloaded: () => overloaded });
    await h.start();
    await h.deliver([event('a')]);
    expect(h.log).toEqual(['pause 0']);
    expect(await h.metric('oldest_unprocessed_age_seconds')).toBeGreaterThanOrEqual(5);
    overloaded = false;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.log).toEqual(['pause 0', 'resume 0']);
  });

  it('stops mid-retry without committing, then disconnects', async () => {
    const h = harness({ retry: { attempts: 5, baseMs: 10_000, maxMs: 10_000 } });
    const consumer = await h.start();
    const delivered = h.deliver([event('a', 'always')]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await consumer.stop();
    await delivered;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(h.log).not.toContain('commit 11');
    expect(h.log.slice(-2)).toEqual(['consumer disconnected', 'producer disconnected']);
  });

  it('reports the age of the message being processed, 0 when idle', async () => {
    let age: number | undefined;
    const h = harness({
      handle: async () => {
        age = await h.metric('oldest_unprocessed_age_seconds', { partition: '0' });
      },
    });
    await h.start();
    await h.deliver([event('a')]);
    expect(age).toBeGreaterThanOrEqual(5);
    expect(await h.metric('oldest_unprocessed_age_seconds')).toBe(0);
  });

  describe('in batches (batchSize)', () => {
    it('applies a run of messages in one transaction with one inbox statement, then commits the offset once', async () => {
      const h = harness({ batchSize: 10 });
      await h.start();
      await h.deliver([event('a'), event('b'), event('c')], { firstOffset: 10, highWatermark: 13 });
      expect(h.log).toEqual([
        ...['BEGIN', 'INSERT 3', 'UPDATE', 'handle a', 'UPDATE', 'handle b', 'UPDATE', 'handle c'],
        ...['COMMIT', 'commit 13', 'resolve 12'],
      ]);
      expect(await h.metric('processed_total', { outcome: 'applied' })).toBe(3);
      expect(await h.metric('lag')).toBe(0);
      expect(h.heartbeats()).toBe(1);
    });

    it('cuts a partition batch into runs of at most batchSize, each committed before the next', async () => {
      const h = harness({ batchSize: 2 });
      await h.start();
      await h.deliver([event('a'), event('b'), event('c')], { firstOffset: 10 });
      expect(h.log.filter((l) => /^(BEGIN|INSERT|COMMIT|commit|resolve)/.test(l))).toEqual([
        ...['BEGIN', 'INSERT 2', 'COMMIT', 'commit 12', 'resolve 11'],
        ...['BEGIN', 'INSERT', 'COMMIT', 'commit 13', 'resolve 12'],
      ]);
    });

    it('skips what the inbox has and an id repeated within the run: a redelivered batch changes nothing', async () => {
      const h = harness({ batchSize: 10 });
      await h.start();
      await h.deliver([event('a'), event('b'), event('a')]);
      expect(h.log.filter((l) => l.startsWith('handle'))).toEqual(['handle a', 'handle b']);
      h.log.length = 0;
      await h.deliver([event('a'), event('b'), event('a')]);
      expect(h.log).toEqual(['BEGIN', 'INSERT 3', 'COMMIT', 'commit 13', 'resolve 12']);
      expect(await h.metric('processed_total', { outcome: 'applied' })).toBe(2);
      expect(await h.metric('processed_total', { outcome: 'duplicate' })).toBe(4);
    });

    it('rolls a run back when one message is bad and takes it again one at a time: the bad one is dead-lettered, the rest applied once', async () => {
      const h = harness({
        batchSize: 10,
        handle: async (e, tx) => {
          await tx.query('UPDATE effect');
          if (e.id === 'refused') throw new BadMessage('order refers to nothing');
          h.log.push(`handle ${e.id}`);
        },
      });
      await h.start();
      await h.deliver([event('a'), event('refused'), event('c')], { firstOffset: 10 });
      const rollback = h.log.indexOf('ROLLBACK');
      expect(h.log.slice(0, rollback + 1)).toEqual([
        ...['BEGIN', 'INSERT 3', 'UPDATE', 'handle a', 'UPDATE', 'ROLLBACK'],
      ]);
      expect(h.log.slice(rollback + 1).filter((l) => !l.startsWith('UPDATE'))).toEqual([
        ...['BEGIN', 'INSERT', 'handle a', 'COMMIT', 'commit 11', 'resolve 10'],
        ...['BEGIN', 'INSERT', 'ROLLBACK', 'dlq t.dlq', 'commit 12', 'resolve 11'],
        ...['BEGIN', 'INSERT', 'handle c', 'COMMIT', 'commit 13', 'resolve 12'],
      ]);
      expect(h.sent.map((r) => r.messages[0]!.headers['x-dlq-reason'])).toEqual([
        'bad: order refers to nothing',
      ]);
      expect([...h.inbox]).toEqual(['a', 'c']); // a replay of 'refused' from the DLQ applies
      expect(await h.metric('processed_total', { outcome: 'applied' })).toBe(2);
      expect(await h.metric('processed_total', { outcome: 'dlq' })).toBe(1);
    });

    it('sends poison to the DLQ on its own, between the runs before and after it', async () => {
      const h = harness({ batchSize: 10 });
      await h.start();
      await h.deliver([event('a'), event('b'), '{oops', event('c'), event('d')], {
        firstOffset: 10,
      });
      expect(h.log.filter((l) => !/^(UPDATE|handle)/.test(l))).toEqual([
        ...['BEGIN', 'INSERT 2', 'COMMIT', 'commit 12', 'resolve 11'],
        ...['dlq t.dlq', 'commit 13', 'resolve 12'],
        ...['BEGIN', 'INSERT 2', 'COMMIT', 'commit 15', 'resolve 14'],
      ]);
      expect(h.sent[0]!.messages[0]!.headers['x-dlq-source-offset']).toBe('12');
    });

    it('waits out a database outage message by message, never dead-lettering', async () => {
      const h = harness({ batchSize: 10 });
      await h.start();
      h.failConnections(5);
      await h.deliver([event('a'), event('b')], { firstOffset: 10 });
      expect(h.log.filter((l) => l === 'connect failed')).toHaveLength(5);
      expect(h.sent).toEqual([]);
      expect(h.log.filter((l) => l.startsWith('handle'))).toEqual(['handle a', 'handle b']);
      expect(h.log.slice(-3)).toEqual(['COMMIT', 'commit 12', 'resolve 11']);
    });

    it('does not count a run PostgreSQL rolled back at COMMIT as applied', async () => {
      const h = harness({ batchSize: 10 });
      await h.start();
      h.abortTransactions();
      await h.deliver([event('a'), event('b')]);
      expect(await h.metric('processed_total', { outcome: 'applied' })).toBe(0);
      expect(h.inbox.size).toBe(0);
      expect(h.sent.map((r) => r.messages[0]!.headers['x-dlq-event-id'])).toEqual(['a', 'b']);
    });

    it('pauses before a run while overloaded, committing nothing of it', async () => {
      const h = harness({ batchSize: 10, isOverloaded: () => true });
      await h.start();
      await h.deliver([event('a'), event('b')]);
      expect(h.log).toEqual(['pause 0']);
    });

    it('hands a run of new events to handleMany at once, and takes a run it failed one at a time through handle', async () => {
      const runs: string[][] = [];
      const h = harness({
        batchSize: 10,
        handleMany: async (items, tx) => {
          await tx.query('UPDATE effects');
          runs.push(items.map((item) => item.id));
          if (items.some((item) => item.event.fail === 'always')) throw new Error('bulk failed');
        },
      });
      await h.start();
      await h.deliver([event('a'), event('b'), event('a')], { firstOffset: 10 });
      expect(runs).toEqual([['a', 'b']]);
      expect(h.log).toEqual(['BEGIN', 'INSERT 3', 'UPDATE', 'COMMIT', 'commit 13', 'resolve 12']);
      h.log.length = 0;
      await h.deliver([event('c'), event('d', 'always')], { firstOffset: 13 });
      expect(runs.slice(1)).toEqual([['c', 'd']]);
      expect(h.log.filter((l) => l.startsWith('handle') || l.startsWith('commit'))).toEqual([
        ...['handle c', 'commit 14'],
        ...['handle d threw', 'handle d threw', 'handle d threw', 'commit 15'],
      ]);
      expect(h.inbox.has('c')).toBe(true);
      expect(h.sent.map((r) => r.messages[0]!.headers['x-dlq-event-id'])).toEqual(['d']);
    });

    it('refuses a batch size below 1', async () => {
      await expect(harness({ batchSize: 0 }).start()).rejects.toThrow(/batchSize/);
    });
  });

  it('lets two consumers share a registry', async () => {
    const registry = new Registry();
    await harness({ registry }).start();
    await expect(harness({ registry, name: 'other' }).start()).resolves.toBeDefined();
  });
});
