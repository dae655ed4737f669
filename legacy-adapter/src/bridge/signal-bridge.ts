/**
 * The signal bridge: hands each mirrored monolith fact to the workflow that follows its order.
 * `LegacyOrderPlaced` starts that workflow with signal-with-start (so the fact and the start are
 * one call, and a repeat finds the running workflow); every later fact it waits for is a signal
 * (`LEGACY_FACTS_FOLLOWED`), the rest are taken without one. Workflows
 * are reached by name and id only (`legacyOrderLifecycle`, `order-<orderId>`): the adapter holds
 * none of their code. Runs on the reliable consumer, so a fact is handed over at least once;
 * the workflow keeps the first of each kind. A fact against the contract is dead-lettered at once;
 * Temporal or PostgreSQL being down holds the partition until they are back (the reliable
 * consumer's classification), so an outage never dead-letters a fact. A fact parked ahead of its
 * placement for longer than `parkedFactBoundMs` refers to nothing: it is moved to the DLQ
 * (stale-parked-facts.ts), to be replayed once its order exists.
 */
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import type { Registry } from 'prom-client';
import {
  deadLetterTopic,
  isFollowedLegacyFact,
  LEGACY_FACT_SIGNAL,
  legacyFactProblem,
  LEGACY_ORDER_WORKFLOW_TYPE,
  type LegacyEvent,
  placedOrderFromLegacy,
  TOPICS,
  workflowIdForOrder,
} from '@order-platform/domain';
import {
  type DependencyWait,
  type IdempotentProducer,
  type Logger,
  type ReliableConsumer,
  startReliableConsumer,
} from '@order-platform/runtime';
import { parkLegacyFact, takeParkedLegacyFacts } from '@order-platform/stores';
import { sweepStaleParkedFacts } from './stale-parked-facts';

export interface SignalBridgeOptions {
  kafka: Kafka;
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  registry: Registry;
  logger: Logger;
  /** Sends the dead letters of parked facts that refer to nothing. */
  producer: Pick<IdempotentProducer, 'send'>;
  /** How long a fact may wait parked for its order's placement before it refers to nothing. */
  parkedFactBoundMs: number;
}

/** Its consumer group and inbox: what it has handed to the workflows (the comparator reads it). */
export const SIGNAL_BRIDGE_NAME = 'legacy-signal-bridge';

export class SignalBridge {
  private consumer?: ReliableConsumer;
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly options: SignalBridgeOptions) {}

  async start(): Promise<void> {
    const { kafka, pool, registry, logger } = this.options;
    this.consumer = await startReliableConsumer<LegacyEvent>({
      name: SIGNAL_BRIDGE_NAME,
      kafka,
      pool,
      topics: [TOPICS.legacyOrderEvents],
      dlqTopic: () => deadLetterTopic(TOPICS.legacyOrderEvents),
      // Against the fact contract, event id included: the inbox dedupes by it, so a fact with
      // a missing or foreign id is refused here rather than applied under the wrong key.
      decode: (message) => {
        const event: unknown = JSON.parse(String(message.value));
        const problem = legacyFactProblem(event);
        return problem ? { poison: problem } : (event as LegacyEvent);
      },
      eventId: (event) => event.eventId,
      handle: (event, tx) => this.handOver(event, tx),
      maxInFlight: 3,
      registry,
      logger,
    });
    const { producer, parkedFactBoundMs } = this.options;
    const sweep = async (): Promise<void> => {
      try {
        await sweepStaleParkedFacts({
          pool,
          producer,
          consumer: SIGNAL_BRIDGE_NAME,
          boundMs: parkedFactBoundMs,
          logger,
        });
      } catch (error) {
        // PostgreSQL or Kafka down: the facts stay parked until the next sweep.
        logger.warn('parked fact sweep failed', { error: String(error) });
      }
      this.sweeper = setTimeout(() => void sweep(), Math.min(parkedFactBoundMs / 4, 60_000));
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

  /** Hands one fact over inside the consumer's transaction `tx` (what the consumer calls). */
  async handOver(event: LegacyEvent, tx: PoolClient): Promise<void> {
    const { temporal, taskQueue, logger } = this.options;
    const workflowId = workflowIdForOrder(event.orderId);
    if (event.eventType === 'LegacyOrderPlaced') {
      try {
        await temporal.workflow.signalWithStart(LEGACY_ORDER_WORKFLOW_TYPE, {
          workflowId,
          taskQueue,
          args: [placedOrderFromLegacy(event as LegacyEvent<'LegacyOrderPlaced'>)],
          signal: LEGACY_FACT_SIGNAL,
          signalArgs: [event],
          // A finished order is never started again by a replayed fact.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        logger.info('order placed again after its workflow finished', { orderId: event.orderId });
        return;
      }
      await this.handOverParked(event.orderId, tx);
      return;
    }
    // The monolith's bookkeeping after a decision (notifications, captures, ...): no workflow
    // waits for it, so it is taken (the inbox records it) without a signal.
    if (!isFollowedLegacyFact(event.eventType)) return;
    try {
      await temporal.workflow.getHandle(workflowId).signal(LEGACY_FACT_SIGNAL, event);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      if (await this.workflowEverRan(workflowId)) {
        // The order's workflow has finished: nothing to tell.
        logger.info('legacy fact for a finished order', {
          orderId: event.orderId,
          eventType: event.eventType,
        });
        return;
      }
      // Ahead of its order's placement: kept until the workflow starts, never dropped.
      await parkLegacyFact(tx, event);
      logger.warn('legacy fact ahead of its order, parked', {
        orderId: event.orderId,
        eventType: event.eventType,
      });
    }
  }

  /** Facts that came before the placement, in the order they came, once the workflow runs. */
  private async handOverParked(orderId: string, tx: PoolClient): Promise<void> {
    const parked = await takeParkedLegacyFacts(tx, orderId);
    const handle = this.options.temporal.workflow.getHandle(workflowIdForOrder(orderId));
    // The workflow keeps the first fact of each kind, so a repeat after a crash is harmless.
    for (const fact of parked.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt)))
      await handle.signal(LEGACY_FACT_SIGNAL, fact);
  }

  private async workflowEverRan(workflowId: string): Promise<boolean> {
    try {
      await this.options.temporal.workflow.getHandle(workflowId).describe();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }
}
