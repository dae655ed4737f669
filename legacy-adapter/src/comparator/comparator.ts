/**
 * The comparator: consumes what the monolith decided (`legacy.order-events.v1`) and what the
 * workflows decided (`orders.lifecycle.v1`), joins them per order and stage in PostgreSQL, and
 * classifies each pair. Everything but a match (or an excused mismatch) also goes out on
 * `orders.mismatches.v1`, keyed by order, so whoever owns the stage hears of it; counts are
 * metrics. Runs on the platform's reliable consumer: inbox, retries, DLQ, offsets after commit,
 * up to `BATCH_SIZE` facts of a partition per transaction, joined in bulk (`handleMany`).
 */
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { Counter, type Registry } from 'prom-client';
import {
  deadLetterTopic,
  type IgnoreRule,
  type LegacyEvent,
  type LifecycleEvent,
  orderEventProblem,
  TOPICS,
} from '@order-platform/domain';
import {
  type DependencyWait,
  type IdempotentProducer,
  type Logger,
  type ReliableConsumer,
  startReliableConsumer,
} from '@order-platform/runtime';
import { type Side } from '@order-platform/stores';
import { type Comparison, ComparisonJoin, type Observation } from './comparison-join';
import { legacyDecision, newDecision } from './stage-decisions';

export interface ComparatorOptions {
  kafka: Kafka;
  producer: IdempotentProducer;
  /** The platform database (inbox, comparisons, ignore rules). */
  pool: Pool;
  registry: Registry;
  logger: Logger;
  /** How long one side's decision waits for the other's before it is declared missing. */
  graceMs: number;
  /**
   * The inbox of the consumer that hands monolith facts to the platform's workflows (the signal
   * bridge's, when this adapter runs it): a monolith decision waits the grace from the moment
   * the platform was handed it, not from its arrival here, so a platform that is behind is not
   * declared to have decided nothing. Unset: the grace runs from the arrival.
   */
  followerInbox?: string;
  /** Consumer group and inbox name. */
  name?: string;
}

type Envelope = { side: Side; event: LegacyEvent | LifecycleEvent };

const RULES_CACHE_MS = 5_000;
/**
 * A monolith decision whose fact the follower never takes (dead-lettered, the follower gone for
 * good) is still declared missing in new, after this many graces (an hour at the default).
 */
const FOLLOWER_BOUND_GRACES = 12;
/**
 * Facts of a partition applied in one transaction (inbox rows, comparison rows, one commit, one
 * offset commit): the comparator's throughput is round trips, not CPU. Bounded so a transaction's
 * row locks are short and a run that rolls back (taken again one fact at a time) is small.
 */
const BATCH_SIZE = 100;
const REPORTS_PER_SEND = 100;

export class Comparator {
  private consumer?: ReliableConsumer;
  private sweeper?: NodeJS.Timeout;
  private rules: { at: number; rules: IgnoreRule[] } = { at: 0, rules: [] };
  private readonly store = new ComparisonJoin();
  private readonly verdicts: Counter<'stage' | 'outcome'>;

  constructor(private readonly options: ComparatorOptions) {
    this.verdicts = new Counter({
      name: 'order_platform_comparator_verdicts_total',
      help: 'Stage comparisons between the monolith and the workflows, by stage and outcome',
      labelNames: ['stage', 'outcome'] as const,
      registers: [options.registry],
    });
  }

  async start(): Promise<void> {
    const { kafka, pool, registry, logger } = this.options;
    this.consumer = await startReliableConsumer<Envelope>({
      name: this.options.name ?? 'stage-comparator',
      kafka,
      pool,
      topics: [TOPICS.legacyOrderEvents, TOPICS.orderLifecycle],
      dlqTopic: (topic) => deadLetterTopic(topic as typeof TOPICS.orderLifecycle),
      decode: (message) => {
        const parsed: unknown = JSON.parse(String(message.value));
        const problem = orderEventProblem(parsed);
        if (problem) return { poison: problem };
        const event = parsed as LegacyEvent | LifecycleEvent;
        return { side: event.source === 'legacy-monolith' ? 'legacy' : 'new', event };
      },
      eventId: ({ event }) => event.eventId,
      handle: async ({ side, event }, tx) => {
        if (isLegacyOrderAccepted(event)) {
          await this.store.rememberRoutes(tx, [
            { orderId: event.orderId, routes: event.payload.routes },
          ]);
        }
        const fact = decisionOf(side, event);
        if (!fact) return;
        const comparison = await this.store.observe(
          tx,
          event.orderId,
          side,
          fact,
          await this.ignoreRules(),
          new Date(),
        );
        await this.report([comparison]);
      },
      // A run's facts in bulk: the routes its monolith orders' OrderAccepted name (two
      // statements), then its decisions (three). Routes drop rows their order's earlier facts
      // left, so a run is cut before an OrderAccepted whose order already has facts in it: each
      // order's facts meet its routes as they would one by one. Orders are independent.
      handleMany: async (items, tx) => {
        const rules = await this.ignoreRules();
        const now = new Date();
        let run: Observation[] = [];
        let routes = new Map<string, unknown>();
        const comparisons: Comparison[] = [];
        const observeRun = async () => {
          await this.store.rememberRoutes(
            tx,
            [...routes].map(([orderId, started]) => ({ orderId, routes: started })),
          );
          if (run.length > 0)
            comparisons.push(...(await this.store.observeMany(tx, run, rules, now)));
          run = [];
          routes = new Map();
        };
        for (const {
          event: { side, event },
        } of items) {
          if (isLegacyOrderAccepted(event)) {
            if (run.some((observed) => observed.orderId === event.orderId)) await observeRun();
            if (!routes.has(event.orderId)) routes.set(event.orderId, event.payload.routes);
          }
          const fact = decisionOf(side, event);
          if (fact) run.push({ orderId: event.orderId, side, fact });
        }
        await observeRun();
        await this.report(comparisons);
      },
      maxInFlight: 3,
      batchSize: BATCH_SIZE,
      registry,
      logger,
    });
    const sweep = async (): Promise<void> => {
      try {
        const { graceMs, followerInbox } = this.options;
        const follower = followerInbox
          ? { inbox: followerInbox, boundMs: graceMs * FOLLOWER_BOUND_GRACES }
          : undefined;
        await this.report(await this.store.sweep(pool, graceMs, follower));
      } catch (error) {
        logger.warn('comparison sweep failed', { error: String(error) });
      }
      this.sweeper = setTimeout(() => void sweep(), Math.min(this.options.graceMs, 10_000));
      this.sweeper.unref();
    };
    void sweep();
  }

  /** Partitions held while a dependency is down, for health detail. */
  waiting(): DependencyWait[] {
    return this.consumer?.waiting() ?? [];
  }

  async stop(): Promise<void> {
    clearTimeout(this.sweeper);
    await this.consumer?.stop();
  }

  private async ignoreRules(): Promise<IgnoreRule[]> {
    if (Date.now() - this.rules.at > RULES_CACHE_MS) {
      this.rules = { at: Date.now(), rules: await this.store.ignoreRules(this.options.pool) };
    }
    return this.rules.rules;
  }

  /**
   * Counts decided comparisons and publishes those that are neither a match nor excused, in one
   * send, before the transaction commits (a rollback sends them again: mismatch ids repeat).
   */
  private async report(comparisons: readonly Comparison[]): Promise<void> {
    const messages = [];
    for (const comparison of comparisons) {
      if (comparison.outcome === 'pending') continue;
      this.verdicts.inc({ stage: comparison.stage, outcome: comparison.outcome });
      const excused = comparison.outcome === 'mismatch' && comparison.excusedBy.length > 0;
      if (comparison.outcome === 'match' || excused) continue;
      messages.push({
        key: comparison.orderId,
        value: JSON.stringify({
          mismatchId: [
            comparison.orderId,
            comparison.stage,
            ...(comparison.subject ? [comparison.subject] : []),
            comparison.outcome,
          ].join(':'),
          ...comparison,
          detectedAt: new Date().toISOString(),
        }),
      });
    }
    // Bounded sends: a sweep can declare thousands at once, over the broker's request limit.
    for (let i = 0; i < messages.length; i += REPORTS_PER_SEND) {
      await this.options.producer.send({
        topic: TOPICS.orderMismatches,
        messages: messages.slice(i, i + REPORTS_PER_SEND),
      });
    }
  }
}

/** The workflow's OrderAccepted of a monolith order: it names the routes the order started with. */
function isLegacyOrderAccepted(
  event: LegacyEvent | LifecycleEvent,
): event is LifecycleEvent & { payload: { routes: unknown } } {
  const payload = event.payload as Record<string, unknown>;
  return event.eventType === 'OrderAccepted' && payload.origin === 'legacy-monolith';
}

const decisionOf = (side: Side, event: LegacyEvent | LifecycleEvent) =>
  side === 'legacy' ? legacyDecision(event as LegacyEvent) : newDecision(event as LifecycleEvent);
