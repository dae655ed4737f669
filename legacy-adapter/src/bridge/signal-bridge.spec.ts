import type { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { Registry } from 'prom-client';
import { type LegacyEvent, legacyEvent } from '@order-platform/domain';
import { SignalBridge } from './signal-bridge';

const at = '2026-11-30T03:00:00.000Z';

/** The bridge on a Temporal that records every call it is asked for. */
function bridgeWithCalls() {
  const calls: string[] = [];
  const temporal = {
    workflow: {
      signalWithStart: async (type: string) => void calls.push(`start ${type}`),
      getHandle: (workflowId: string) => ({
        signal: async (_name: string, fact: LegacyEvent) =>
          void calls.push(`signal ${workflowId} ${fact.eventType}`),
        describe: async () => void calls.push(`describe ${workflowId}`),
      }),
    },
  } as unknown as Client;
  const bridge = new SignalBridge({
    kafka: {} as Kafka,
    pool: {} as Pool,
    temporal,
    taskQueue: 'orders',
    registry: new Registry(),
    logger: { info: () => undefined, warn: () => undefined } as never,
    producer: { send: async () => undefined } as never,
    parkedFactBoundMs: 3_600_000,
  });
  const tx = { query: async () => ({ rows: [], rowCount: 0 }) } as unknown as PoolClient;
  return { calls, handOver: (fact: LegacyEvent) => bridge.handOver(fact, tx) };
}

describe('the signal bridge hands a workflow the facts it waits for, and only those', () => {
  it('starts the workflow on the placement and signals the decisions it follows', async () => {
    const { calls, handOver } = bridgeWithCalls();
    await handOver(
      legacyEvent('L-1', 'LegacyOrderPlaced', at, {
        customerId: 'c-1',
        lines: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: 1_000 }],
        totalMinor: 1_000,
        currency: 'EUR',
        expedited: false,
      }),
    );
    await handOver(legacyEvent('L-1', 'LegacyOrderShipped', at, {}));
    await handOver(legacyEvent('L-1', 'LegacyOrderCancelled', at, { reason: 'cancelled' }));
    expect(calls).toEqual([
      'start legacyOrderLifecycle',
      'signal order-L-1 LegacyOrderShipped',
      'signal order-L-1 LegacyOrderCancelled',
    ]);
  });

  it('takes notifications, captures, releases and voids without a Temporal call (a third of an order’s facts, often after its workflow ended)', async () => {
    const { calls, handOver } = bridgeWithCalls();
    for (const kind of ['confirmed', 'shipped', 'delivered'] as const)
      await handOver(
        legacyEvent('L-2', 'LegacyCustomerNotified', at, { kind, sentBy: 'monolith' }),
      );
    await handOver(
      legacyEvent('L-2', 'LegacyPaymentCaptured', at, { authorizationId: 'a', amountMinor: 1 }),
    );
    await handOver(legacyEvent('L-2', 'LegacyStockReleased', at, { lines: [] }));
    await handOver(legacyEvent('L-2', 'LegacyPaymentVoided', at, { authorizationId: 'a' }));
    expect(calls).toEqual([]);
  });
});
