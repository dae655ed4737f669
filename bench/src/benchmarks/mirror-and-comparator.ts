/**
 * The strangler's pipes. The mirror: orders placed on the sample monolith (one transaction each)
 * and streamed from its transaction log to `legacy.order-events.v1`; its throughput is facts per
 * second while it drains a backlog (it was stopped while the orders were placed), from the moment
 * it opens the replication slot to the last fact's append (the mirror sends a backlog's
 * transactions together, so the spread of the appends alone would flatter it), its latency is
 * each fact's broker append time minus its commit time (the fact's `occurredAt`) while orders
 * arrive at a steady pace. The baseline is a raw kafkajs producer with the same settings
 * (runtime's idempotent acks=all producer) sending the same messages, transaction by transaction,
 * to a topic of the same shape; its drain runs from its first send call, its latency from each. Both topics stamp records
 * with the broker's append time. The comparator: facts per second while it works through both
 * topics from the beginning, against a raw kafkajs consumer reading the same records, and the
 * PostgreSQL transactions it committed per event (which the machine's load does not move). Its
 * backlog is what the two topics hold (the monolith facts of this benchmark, and lifecycle events
 * only where a benchmark before it ran orders), copied under other order ids until it holds
 * `COMPARATOR_BACKLOG` events: the few thousand of a run alone go by between two samples. The
 * topics are emptied and the copies' comparisons deleted afterwards.
 */
import { join } from 'node:path';
import { ConfigResourceTypes, type Kafka, type KafkaMessage } from 'kafkajs';
import { Client as PgClient } from 'pg';
import { TOPICS } from '@order-platform/domain';
import { createIdempotentProducer, createKafka, createLogger } from '@order-platform/runtime';
import { type BenchContext, type BenchResult, BENCH_SKU } from '../context';
import { cpuMsOf, cpuMsPer, postmasterPid, processTreeCpuMs } from '../support/cpu-time';
import { latencySummary, pool, ratioOf, round, sleep } from '../support/stats';

const RAW_TOPIC = 'bench.raw-producer.v1';
const SLOT = 'bench_mirror';
const COMPARATOR_GROUP = 'stage-comparator';
const STEADY_ORDERS_PER_SECOND = 20;
/** What a copied record's order id ends with, before the copy's number. */
const COPY_SUFFIX = '-bench-copy';
/** Events on both topics for the comparator's pace (× the bench's scale). */
const COMPARATOR_BACKLOG = 30_000;
const MIRROR_ONLY = {
  BRIDGE: 'off',
  COMPARATOR: 'off',
  MIRROR_SOURCE: 'cdc',
  MIRROR_SLOT: SLOT,
  MIRROR_PUBLICATION: SLOT,
};

interface Appended {
  key: string;
  value: string;
  appendedAt: number;
}

export async function mirrorAndComparator(ctx: BenchContext): Promise<BenchResult> {
  const monolith = await ctx.monolith();
  // The platform's client settings; kafkajs's own retried errors (a group coordinator still
  // loading) are not logged: what fails for good throws.
  const kafka = createKafka({
    clientId: 'bench',
    brokers: ctx.stack.kafkaBrokers,
    logger: createLogger('bench', 'error', () => undefined),
  });
  const admin = kafka.admin();
  await admin.connect();
  const collector = new TopicCollector(kafka, [TOPICS.legacyOrderEvents, RAW_TOPIC]);
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: TOPICS.legacyOrderEvents,
          configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
        },
      ],
    });
    const partitions = (await admin.fetchTopicMetadata({ topics: [TOPICS.legacyOrderEvents] }))
      .topics[0]!.partitions.length;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: RAW_TOPIC,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
        },
      ],
    });
    await collector.start();

    const placeOrder = async (): Promise<string> => {
      const response = await fetch(`${monolith.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          customerId: `c-mirror-${Math.random().toString(36).slice(2, 10)}`,
          items: [{ sku: BENCH_SKU, quantity: 1 }],
        }),
      });
      const reply = (await response.json()) as { orderId?: string };
      if (!response.ok || !reply.orderId) throw new Error(`monolith order: ${response.status}`);
      return reply.orderId;
    };

    // Latency: the mirror running, orders at a steady pace.
    await ctx.stack.start('legacy-adapter', 'adapter-mirror', MIRROR_ONLY);
    const steadyOrders = ctx.scaled(100, 20);
    const steadyIds = await paced(steadyOrders, STEADY_ORDERS_PER_SECOND, placeOrder);
    const steadyFacts = await collector.settled(TOPICS.legacyOrderEvents, steadyIds);
    const mirrorLatency = latencySummary(
      steadyFacts.map(
        (f) =>
          f.appendedAt - Date.parse((JSON.parse(f.value) as { occurredAt: string }).occurredAt),
      ),
    );

    // Throughput: a backlog placed while the mirror was stopped, drained when it starts again.
    await ctx.stack.stop('adapter-mirror');
    const backlogOrders = ctx.scaled(300, 50);
    const backlogIds: string[] = [];
    await pool(backlogOrders, 8, async () => void backlogIds.push(await placeOrder()));
    const slotOpened = slotActiveAt(ctx.stack.env.LEGACY_DATABASE_URL);
    await ctx.stack.start('legacy-adapter', 'adapter-mirror', MIRROR_ONLY);
    const backlogFacts = await collector.settled(TOPICS.legacyOrderEvents, backlogIds);
    const mirrorReadFrom = await slotOpened;
    await ctx.stack.stop('adapter-mirror');
    await dropSlot(ctx.stack.env.LEGACY_DATABASE_URL);
    const mirrorPerSecond = drainPerSecond(backlogFacts, mirrorReadFrom);

    // The raw producer: the same messages, one send per monolith transaction (per order).
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    const rawSentAt = new Map<string, number>();
    const sendOrder = async (facts: Appended[]): Promise<void> => {
      const key = `raw-${facts[0]!.key}`;
      rawSentAt.set(key, Date.now());
      await producer.sendBatch({
        topicMessages: [
          { topic: RAW_TOPIC, messages: facts.map((f) => ({ key, value: f.value })) },
        ],
      });
    };
    const steadyByOrder = groupByKey(steadyFacts);
    await paced(steadyByOrder.length, STEADY_ORDERS_PER_SECOND, async (i) => {
      await sendOrder(steadyByOrder[i]!);
      return '';
    });
    const rawSteady = await collector.settled(RAW_TOPIC, [...rawSentAt.keys()]);
    const rawLatency = latencySummary(rawSteady.map((f) => f.appendedAt - rawSentAt.get(f.key)!));
    rawSentAt.clear();
    const rawSendsFrom = Date.now();
    for (const facts of groupByKey(backlogFacts)) await sendOrder(facts);
    const rawBacklog = await collector.settled(RAW_TOPIC, [...rawSentAt.keys()]);
    await producer.disconnect();
    const rawPerSecond = drainPerSecond(rawBacklog, rawSendsFrom);

    // Done with the mirror's topics: a collector still reading would share the raw consumer's CPU.
    await collector.stop();
    const comparator = await comparatorThroughput(ctx, kafka, admin);
    return {
      rows: [
        {
          metric: 'mirror backlog drain',
          unit: 'facts/s',
          platform: round(mirrorPerSecond),
          baseline: round(rawPerSecond),
          ratio: ratioOf(mirrorPerSecond, rawPerSecond),
        },
        {
          metric: 'mirror commit → topic p99',
          unit: 'ms',
          platform: mirrorLatency.p99Ms,
          baseline: rawLatency.p99Ms,
          ratio: ratioOf(mirrorLatency.p99Ms, rawLatency.p99Ms),
        },
        // Through the whole backlog between two samples of its offsets (a small scale on a
        // quiet machine): no rate to tell, rather than a made-up one.
        ...(Number.isFinite(comparator.comparatorPerSecond)
          ? [
              {
                metric: 'comparator events',
                unit: 'events/s',
                platform: round(comparator.comparatorPerSecond),
                baseline: round(comparator.rawPerSecond),
                ratio: ratioOf(comparator.comparatorPerSecond, comparator.rawPerSecond),
              },
            ]
          : []),
        ...Object.entries(comparator.cpuMsPerEvent).map(([process, ms]) => ({
          metric: `comparator: ${process} CPU per event`,
          unit: 'ms',
          platform: round(ms),
          ...(process === 'adapter'
            ? {
                baseline: round(comparator.rawCpuMsPerEvent),
                ratio: ratioOf(ms, comparator.rawCpuMsPerEvent),
              }
            : {}),
        })),
      ],
      details: {
        mirror: {
          source: 'cdc',
          backlogOrders,
          backlogFacts: backlogFacts.length,
          factsPerOrder: round(backlogFacts.length / backlogOrders),
          ordersPerSecond: round((mirrorPerSecond * backlogOrders) / backlogFacts.length),
          slotOpenedToLastAppendMs: lastAppend(backlogFacts) - mirrorReadFrom,
          firstToLastAppendMs: lastAppend(backlogFacts) - firstAppend(backlogFacts),
          steadyOrders,
          steadyOrdersPerSecond: STEADY_ORDERS_PER_SECOND,
          commitToTopic: mirrorLatency,
        },
        rawProducer: { perSecond: round(rawPerSecond), sendToTopic: rawLatency },
        comparator,
      },
    };
  } finally {
    await ctx.stack.stop('adapter-mirror');
    await ctx.stack.stop('adapter-comparator');
    await collector.stop();
    await admin.disconnect();
  }
}

/** Facts per second from `from` (the first read or send, epoch ms) to the last append. */
function drainPerSecond(facts: Appended[], from: number): number {
  return (facts.length * 1000) / Math.max(1, lastAppend(facts) - from);
}

const lastAppend = (facts: Appended[]): number =>
  facts.reduce((latest, f) => Math.max(latest, f.appendedAt), -Infinity);
const firstAppend = (facts: Appended[]): number =>
  facts.reduce((earliest, f) => Math.min(earliest, f.appendedAt), Infinity);

function groupByKey(facts: Appended[]): Appended[][] {
  const groups = new Map<string, Appended[]>();
  for (const fact of facts) groups.set(fact.key, [...(groups.get(fact.key) ?? []), fact]);
  return [...groups.values()];
}

/** Calls `task(i)` `count` times at `perSecond`, without waiting for one to finish. */
async function paced(
  count: number,
  perSecond: number,
  task: (index: number) => Promise<string>,
): Promise<string[]> {
  const began = Date.now();
  const pending: Promise<string>[] = [];
  for (let i = 0; i < count; i += 1) {
    await sleep(Math.max(0, began + (i * 1000) / perSecond - Date.now()));
    pending.push(task(i));
  }
  return Promise.all(pending);
}

/** Runs `work` on a connection of its own to `url`, closed after. */
async function withPg<T>(url: string, work: (db: PgClient) => Promise<T>): Promise<T> {
  const db = new PgClient({ connectionString: url });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

/** Transactions committed in the database so far (its statistics; the sweep's included). */
async function committedTransactions(databaseUrl: string): Promise<number> {
  return withPg(databaseUrl, async (db) => {
    const { rows } = await db.query<{ commits: string }>(
      'SELECT xact_commit AS commits FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0]!.commits);
  });
}

/**
 * When the mirror's replication slot turns active (its first read of the stream), polled every
 * 5 ms on the monolith's database: the start of its drain, after its process has booted.
 */
async function slotActiveAt(legacyDatabaseUrl: string, timeoutMs = 120_000): Promise<number> {
  return withPg(legacyDatabaseUrl, async (db) => {
    const deadline = Date.now() + timeoutMs;
    // Seen idle first: the stopped mirror's walsender may linger a moment after its process.
    let idle = false;
    while (Date.now() < deadline) {
      const { rows } = await db.query<{ active: boolean }>(
        'SELECT active FROM pg_replication_slots WHERE slot_name = $1',
        [SLOT],
      );
      if (rows[0]?.active && idle) return Date.now();
      idle ||= rows[0]?.active === false;
      await sleep(5);
    }
    throw new Error(`the mirror did not open its replication slot ${SLOT} in ${timeoutMs} ms`);
  });
}

async function dropSlot(legacyDatabaseUrl: string): Promise<void> {
  return withPg(legacyDatabaseUrl, async (db) => {
    await db.query(
      'SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1',
      [SLOT],
    );
  });
}

/** Every record of some topics, as the broker stamped them, collected from the beginning. */
class TopicCollector {
  private readonly records = new Map<string, Appended[]>();
  private stopped = false;
  private readonly consumer;

  constructor(
    kafka: Kafka,
    private readonly topics: string[],
  ) {
    this.consumer = kafka.consumer({ groupId: `bench-collector-${Date.now()}` });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const list = this.records.get(topic) ?? [];
        list.push(appended(message));
        this.records.set(topic, list);
      },
    });
  }

  /** The records of `keys` on `topic` once each key has one and no more arrive for 2 s. */
  async settled(topic: string, keys: string[], timeoutMs = 180_000): Promise<Appended[]> {
    const wanted = new Set(keys);
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      const mine = (this.records.get(topic) ?? []).filter((r) => wanted.has(r.key));
      const seen = new Set(mine.map((r) => r.key));
      if (mine.length !== last) {
        last = mine.length;
        stableSince = Date.now();
      } else if (seen.size === wanted.size && Date.now() - stableSince > 2_000) {
        return mine;
      }
      if (Date.now() > deadline) {
        throw new Error(`${topic}: ${seen.size} of ${wanted.size} keys after ${timeoutMs} ms`);
      }
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.consumer.disconnect();
  }
}

const appended = (message: KafkaMessage): Appended => ({
  key: message.key?.toString() ?? '',
  value: String(message.value),
  appendedAt: Number(message.timestamp),
});

/**
 * The comparator's pace through both topics from the beginning (its consumer group's committed
 * offsets, sampled), then a raw consumer's through the same records.
 */
async function comparatorThroughput(
  ctx: BenchContext,
  kafka: Kafka,
  admin: ReturnType<Kafka['admin']>,
): Promise<{
  events: number;
  copiedEvents: number;
  transactionsPerEvent: number;
  /** CPU ms per event by process, from the first sample that showed progress (Linux only). */
  cpuMsPerEvent: Record<string, number>;
  rawCpuMsPerEvent: number;
  comparatorPerSecond: number;
  rawPerSecond: number;
}> {
  const topics = [TOPICS.legacyOrderEvents, TOPICS.orderLifecycle];
  const copied = await enlargeBacklog(kafka, admin, topics, ctx.scaled(COMPARATOR_BACKLOG, 3_000));
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic))
      ends.set(`${topic}:${p.partition}`, Number(p.high));
  }
  const total = [...ends.values()].reduce((a, b) => a + b, 0);

  // The raw consumer: parse each record, nothing more.
  const raw = kafka.consumer({ groupId: `bench-raw-consumer-${Date.now()}` });
  let rawCount = 0;
  let rawFirst = 0;
  let rawLast = 0;
  // This process's CPU: it does nothing else meanwhile (the collector has stopped).
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  let rawCpuFrom = 0;
  let rawCpuMs = 0;
  await raw.connect();
  await raw.subscribe({ topics, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('raw consumer: not done in 5 minutes')),
      300_000,
    );
    void raw.run({
      eachMessage: async ({ topic, partition, message }) => {
        if (Number(message.offset) >= ends.get(`${topic}:${partition}`)!) return;
        JSON.parse(String(message.value));
        rawCount += 1;
        rawLast = Date.now();
        if (rawFirst === 0) {
          rawFirst = rawLast;
          rawCpuFrom = cpuMs();
        }
        if (rawCount === total) {
          rawCpuMs = cpuMs() - rawCpuFrom;
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await raw.disconnect();

  // The comparator, from an adapter that runs nothing else. The platform database's committed
  // transactions per event: what the comparator pays per event whatever the machine's load.
  const commitsBefore = await committedTransactions(ctx.stack.env.DATABASE_URL);
  const adapter = await ctx.stack.start('legacy-adapter', 'adapter-comparator', {
    BRIDGE: 'off',
    MIRROR_SOURCE: 'off',
    COMPARATOR: 'on',
  });
  // CPU from the first sample that showed progress (the adapter's start-up is not the work).
  const postmaster = postmasterPid(join(ctx.stack.stateDir, 'postgres'));
  const cpu = () => ({ adapter: cpuMsOf(adapter.pid), postgres: processTreeCpuMs(postmaster) });
  const committed = async (): Promise<number> => {
    let sum = 0;
    for (const { topic, partitions } of await admin.fetchOffsets({
      groupId: COMPARATOR_GROUP,
      topics,
    })) {
      for (const p of partitions) {
        sum += Math.min(Math.max(0, Number(p.offset)), ends.get(`${topic}:${p.partition}`) ?? 0);
      }
    }
    return sum;
  };
  let first: { at: number; done: number; cpu: ReturnType<typeof cpu> } | undefined;
  const deadline = Date.now() + 10 * 60_000;
  let done = 0;
  while ((done = await committed()) < total) {
    if (done > 0 && !first) first = { at: Date.now(), done, cpu: cpu() };
    if (Date.now() > deadline) throw new Error(`comparator: ${done} of ${total} after 10 minutes`);
    // Often: at scale 1 the comparator is through in under a second.
    await sleep(20);
  }
  const finishedAt = Date.now();
  const cpuAtEnd = cpu();
  await ctx.stack.stop('adapter-comparator');
  await forgetBacklog(ctx.stack.env.DATABASE_URL, admin, topics);
  // Backends report their counts to the statistics within about a second.
  await sleep(1_500);
  const commits = (await committedTransactions(ctx.stack.env.DATABASE_URL)) - commitsBefore;
  // Sampled: the first sample that showed progress starts the clock (it needs some backlog left).
  const comparatorPerSecond = first
    ? ((total - first.done) * 1000) / (finishedAt - first.at)
    : Number.NaN;
  if (!first) console.log(`  comparator: all ${total} events between two samples, no rate`);
  return {
    events: total,
    copiedEvents: copied,
    transactionsPerEvent: round(commits / total),
    cpuMsPerEvent: first ? cpuMsPer(first.cpu, cpuAtEnd, total - first.done) : {},
    comparatorPerSecond: round(comparatorPerSecond),
    rawPerSecond: round((rawCount * 1000) / Math.max(1, rawLast - rawFirst)),
    rawCpuMsPerEvent: rawCpuMs / Math.max(1, rawCount - 1),
  };
}

/**
 * Copies every record of `topics` under other order ids (each copy's order id is the original's
 * with a suffix, in the key and wherever the value names it, so derived event ids stay derived
 * and unique) until the topics hold at least `atLeast` records. @returns the records added.
 */
async function enlargeBacklog(
  kafka: Kafka,
  admin: ReturnType<Kafka['admin']>,
  topics: string[],
  atLeast: number,
): Promise<number> {
  const records: {
    topic: string;
    orderId: string;
    value: string;
    headers: Record<string, string>;
  }[] = [];
  let held = 0;
  for (const topic of topics)
    for (const p of await admin.fetchTopicOffsets(topic)) held += Number(p.high) - Number(p.low);
  if (held === 0 || held >= atLeast) return 0;
  const reader = kafka.consumer({ groupId: `bench-backlog-reader-${Date.now()}` });
  await reader.connect();
  await reader.subscribe({ topics, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('backlog reader: not done in 2 minutes')),
      120_000,
    );
    void reader.run({
      eachMessage: async ({ topic, message }) => {
        const value = String(message.value);
        const { orderId } = JSON.parse(value) as { orderId?: unknown };
        const headers: Record<string, string> = {};
        for (const [name, header] of Object.entries(message.headers ?? {}))
          if (name !== 'traceparent' && name !== 'tracestate') headers[name] = String(header);
        if (typeof orderId === 'string' && orderId !== '')
          records.push({ topic, orderId, value, headers });
        if ((held -= 1) === 0) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await reader.disconnect();
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  let added = 0;
  try {
    for (let copy = 1; records.length > 0 && records.length * copy < atLeast; copy += 1) {
      for (let from = 0; from < records.length; from += 500) {
        const messages = records
          .slice(from, from + 500)
          .map(({ topic, orderId, value, headers }) => {
            // Order ids are `L-<uuid>` or a uuid: found nowhere else by accident. Event ids are
            // derived from them, so they change with them and stay derived.
            const copyId = `${orderId}${COPY_SUFFIX}${copy}`;
            const copied = (text: string) => text.split(orderId).join(copyId);
            return {
              topic,
              key: copyId,
              value: copied(value),
              headers: Object.fromEntries(
                Object.entries(headers).map(([name, header]) => [name, copied(header)]),
              ),
            };
          });
        await producer.sendBatch({
          topicMessages: topics.map((topic) => ({
            topic,
            messages: messages.filter((m) => m.topic === topic),
          })),
        });
        added += messages.length;
      }
    }
  } finally {
    await producer.disconnect();
  }
  return added;
}

/**
 * Leaves nothing of the comparator's backlog to the benchmarks after this one: the topics are
 * truncated to their ends (the memory benchmark's signal bridge reads from the beginning and
 * would start a workflow per copied monolith order) and the copies' comparisons are deleted (a
 * later comparator's sweep would declare each of them missing).
 */
async function forgetBacklog(
  databaseUrl: string,
  admin: ReturnType<Kafka['admin']>,
  topics: string[],
): Promise<void> {
  for (const topic of topics) {
    const partitions = (await admin.fetchTopicOffsets(topic)).map((p) => ({
      partition: p.partition,
      offset: p.high,
    }));
    await admin.deleteTopicRecords({ topic, partitions });
  }
  return withPg(databaseUrl, async (db) => {
    for (const table of ['stage_comparison', 'comparison_order']) {
      await db.query(`DELETE FROM ${table} WHERE order_id LIKE $1`, [`%${COPY_SUFFIX}%`]);
    }
  });
}
