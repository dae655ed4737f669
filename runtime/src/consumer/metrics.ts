/**
 * The reliable consumer's metrics, `order_platform_consumer_*`: messages processed by outcome,
 * retries, lag per partition (high watermark minus the next offset to process) and the age of
 * the oldest unprocessed message per partition, and the partitions held (paused under load, or
 * waiting for a dependency that is down, with how long the consumer has waited for it), read at
 * scrape time. The metrics are registered
 * once per registry and shared by every consumer in the process; each consumer reports through
 * its own `ConsumerMetrics`, which also drops a partition's series when the partition is revoked.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { type Outcome } from './message';

interface AgeSample {
  labels: Record<string, string>;
  seconds: number;
}

/** Why a partition is held: overload, or the name of the dependency it waits for. */
export interface Hold {
  cause: 'overload' | { dependency: string; reason: string };
  sinceMs: number;
}

interface HoldSample extends TopicPartition {
  consumer: string;
  hold: Hold;
}

interface RegisteredMetrics {
  processed: Counter<'consumer' | 'topic' | 'outcome'>;
  retries: Counter<'consumer' | 'topic'>;
  lag: Gauge<'consumer' | 'topic' | 'partition'>;
  /** Each running consumer's age samples, read at scrape time. */
  ageSources: Set<() => AgeSample[]>;
  /** Each running consumer's held partitions, read at scrape time. */
  holdSources: Set<() => HoldSample[]>;
}

// Several consumers in one process share a registry; prom-client refuses a name registered twice.
const metricsByRegistry = new WeakMap<Registry, RegisteredMetrics>();

function registeredIn(registry: Registry): RegisteredMetrics {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const ageSources: RegisteredMetrics['ageSources'] = new Set();
  const holdSources: RegisteredMetrics['holdSources'] = new Set();
  const holds = () => [...holdSources].flatMap((source) => source());
  const metrics: RegisteredMetrics = {
    ageSources,
    holdSources,
    processed: new Counter({
      name: 'order_platform_consumer_processed_total',
      help: 'Messages done, by outcome: applied, duplicate (already in the inbox) or dlq',
      labelNames: ['consumer', 'topic', 'outcome'] as const,
      registers: [registry],
    }),
    retries: new Counter({
      name: 'order_platform_consumer_retries_total',
      help: 'Handler failures that were retried',
      labelNames: ['consumer', 'topic'] as const,
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'order_platform_consumer_lag',
      help: 'Messages behind: high watermark minus the next offset to process, per partition',
      labelNames: ['consumer', 'topic', 'partition'] as const,
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'order_platform_consumer_oldest_unprocessed_age_seconds',
    help: 'Age of the message being processed per partition (the oldest not yet done); 0 when idle',
    labelNames: ['consumer', 'topic', 'partition'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const source of ageSources) {
        for (const { labels, seconds } of source()) this.set(labels, seconds);
      }
    },
  });
  new Gauge({
    name: 'order_platform_consumer_paused',
    help: 'Partitions held: 1 while paused under load (cause="overload") or waiting for a dependency that is down (cause=its name)',
    labelNames: ['consumer', 'topic', 'partition', 'cause'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { consumer, topic, partition, hold } of holds()) {
        const cause = hold.cause === 'overload' ? 'overload' : hold.cause.dependency;
        this.set({ consumer, topic, partition: String(partition), cause }, 1);
      }
    },
  });
  new Gauge({
    name: 'order_platform_consumer_dependency_waiting_seconds',
    help: 'How long a consumer has waited for a dependency that is down (its longest held partition); absent when none',
    labelNames: ['consumer', 'dependency'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const longest = new Map<string, { consumer: string; dependency: string; since: number }>();
      for (const { consumer, hold } of holds()) {
        if (hold.cause === 'overload') continue;
        const key = `${consumer}\u0000${hold.cause.dependency}`;
        const seen = longest.get(key);
        if (!seen || hold.sinceMs < seen.since) {
          longest.set(key, { consumer, dependency: hold.cause.dependency, since: hold.sinceMs });
        }
      }
      for (const { consumer, dependency, since } of longest.values()) {
        this.set({ consumer, dependency }, Math.max(0, (Date.now() - since) / 1000));
      }
    },
  });
  metricsByRegistry.set(registry, metrics);
  return metrics;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export const partitionKey = ({ topic, partition }: TopicPartition): string =>
  `${topic}:${partition}`;

/** One consumer's view of the shared metrics. */
export class ConsumerMetrics {
  private readonly metrics: RegisteredMetrics;
  // Timestamp (ms) of the message each partition is on or paused at; undefined when idle.
  private readonly positions = new Map<string, TopicPartition & { since?: number }>();
  private readonly ageSource = (): AgeSample[] =>
    [...this.positions.values()].map(({ topic, partition, since }) => ({
      labels: this.labels({ topic, partition }),
      seconds: since === undefined ? 0 : Math.max(0, (Date.now() - since) / 1000),
    }));

  private readonly holds = new Map<string, TopicPartition & { hold: Hold }>();
  private readonly holdSource = (): HoldSample[] =>
    [...this.holds.values()].map((held) => ({ consumer: this.consumer, ...held }));

  constructor(
    private readonly consumer: string,
    registry: Registry,
  ) {
    this.metrics = registeredIn(registry);
    this.metrics.ageSources.add(this.ageSource);
    this.metrics.holdSources.add(this.holdSource);
  }

  /** The partition is held (paused under load, or waiting for a dependency); kept from the first. */
  held(tp: TopicPartition, cause: Hold['cause']): void {
    const key = partitionKey(tp);
    const current = this.holds.get(key)?.hold;
    const same =
      current &&
      (current.cause === cause ||
        (current.cause !== 'overload' &&
          cause !== 'overload' &&
          current.cause.dependency === cause.dependency));
    // The reason may change (a new error text), the start of the wait does not.
    this.holds.set(key, { ...tp, hold: { cause, sinceMs: same ? current.sinceMs : Date.now() } });
  }

  released(tp: TopicPartition): void {
    this.holds.delete(partitionKey(tp));
  }

  /** The partitions held now, for health detail. */
  heldPartitions(): (TopicPartition & { hold: Hold })[] {
    return [...this.holds.values()];
  }

  /** The partition is on, or waiting at, the message with this timestamp: its age counts. */
  at(tp: TopicPartition, messageTimestampMs: number): void {
    this.positions.set(partitionKey(tp), { ...tp, since: messageTimestampMs });
  }

  /** The partition has no message in hand: age 0 until its next one. */
  idle(tp: TopicPartition): void {
    const key = partitionKey(tp);
    if (this.positions.has(key)) this.positions.set(key, { ...tp });
  }

  lag(tp: TopicPartition, messagesBehind: bigint): void {
    this.metrics.lag.set(this.labels(tp), Number(messagesBehind));
  }

  processed(topic: string, outcome: Outcome): void {
    this.metrics.processed.inc({ consumer: this.consumer, topic, outcome });
  }

  retried(topic: string): void {
    this.metrics.retries.inc({ consumer: this.consumer, topic });
  }

  /** Drops the series of partitions no longer assigned (they belong to their new owner now). */
  forgetRevoked(assigned: Record<string, number[]>): TopicPartition[] {
    const revoked: TopicPartition[] = [];
    for (const [key, { topic, partition }] of this.positions) {
      if (assigned[topic]?.includes(partition)) continue;
      this.positions.delete(key);
      this.metrics.lag.remove(this.labels({ topic, partition }));
      this.holds.delete(key);
      revoked.push({ topic, partition });
    }
    return revoked;
  }

  /** The consumer stopped: its partitions no longer report an age. */
  close(): void {
    this.metrics.ageSources.delete(this.ageSource);
    this.metrics.holdSources.delete(this.holdSource);
  }

  private labels({ topic, partition }: TopicPartition) {
    return { consumer: this.consumer, topic, partition: String(partition) };
  }
}
