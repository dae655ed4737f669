/**
 * The signal bridge: hands each mirrored monolith fact to the workflow that follows its order.
 * `LegacyOrderPlaced` starts that workflow with signal-with-start (so the fact and the start are
 * one call, and a repeat finds the running workflow); every later fact is a signal. Workflows
 * are reached by name and id only (`legacyOrderLifecycle`, `order-<orderId>`): the adapter holds
 * none of their code. Runs on the reliable consumer, so a fact is handed over at least once;
 * the workflow keeps the first of each kind.
 */
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import {
  deadLetterTopic,
  LEGACY_FACT_SIGNAL,
  LEGACY_FACT_TYPES,
  LEGACY_ORDER_WORKFLOW_TYPE,
  type LegacyEvent,
  placedOrderFromLegacy,
  TOPICS,
  workflowIdForOrder,
} from '@order-platform/domain';
import { type Logger, type ReliableConsumer, startReliableConsumer } from '@order-platform/runtime';

export interface SignalBridgeOptions {
  kafka: Kafka;
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  registry: Registry;
  logger: Logger;
}

export class SignalBridge {
  private consumer?: ReliableConsumer;

  constructor(private readonly options: SignalBridgeOptions) {}

  async start(): Promise<void> {
    const { kafka, pool, registry, logger } = this.options;
    this.consumer = await startReliableConsumer<LegacyEvent>({
      name: 'legacy-signal-bridge',
      kafka,
      pool,
      topics: [TOPICS.legacyOrderEvents],
      dlqTopic: () => deadLetterTopic(TOPICS.legacyOrderEvents),
      decode: (message) => {
        const event = JSON.parse(String(message.value)) as LegacyEvent;
        if (typeof event?.orderId !== 'string' || !LEGACY_FACT_TYPES.includes(event.eventType)) {
          return { poison: 'not a legacy fact' };
        }
        return event;
      },
      eventId: (event) => event.eventId,
      handle: (event) => this.handOver(event),
      maxInFlight: 3,
      registry,
      logger,
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }

  private async handOver(event: LegacyEvent): Promise<void> {
    const { temporal, taskQueue, logger } = this.options;
    const workflowId = workflowIdForOrder(event.orderId);
    try {
      if (event.eventType === 'LegacyOrderPlaced') {
        await temporal.workflow.signalWithStart(LEGACY_ORDER_WORKFLOW_TYPE, {
          workflowId,
          taskQueue,
          args: [placedOrderFromLegacy(event as LegacyEvent<'LegacyOrderPlaced'>)],
          signal: LEGACY_FACT_SIGNAL,
          signalArgs: [event],
          // A finished order is never started again by a replayed fact.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } else {
        await temporal.workflow.getHandle(workflowId).signal(LEGACY_FACT_SIGNAL, event);
      }
    } catch (error) {
      // The order's workflow has finished (or the order predates the bridge): nothing to tell.
      if (
        error instanceof WorkflowNotFoundError ||
        error instanceof WorkflowExecutionAlreadyStartedError
      ) {
        logger.info('legacy fact for an order without a running workflow', {
          orderId: event.orderId,
          eventType: event.eventType,
        });
        return;
      }
      throw error;
    }
  }
}
