/**
 * The order journey on the real platform: the simulators and the worker started as processes
 * from their entry points (as `npm start` runs them) on the test stack, the order workflow
 * started with a Temporal client, and every promise checked where the outside world sees it:
 * the workflow's status query, the read model in PostgreSQL, the search attributes an operator
 * queries with the Temporal CLI, the lifecycle events on Kafka, and the simulators' own records
 * (payment ledger, warehouse stock, customer notifications). Each order has its own id,
 * customer and sku, so the suite reads only its own records.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { type Client, type WorkflowHandle } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import {
  type LifecycleEvent,
  type LifecycleEventType,
  lifecycleEventId,
  type OrderStage,
  orderTotalMinor,
  type PlacedOrder,
  TOPICS,
  workflowIdForOrder,
} from '@order-platform/domain';
import {
  AppsUnderTest,
  eventually,
  readTopic,
  simulatorCall,
  suiteEnv,
  suiteTemporal,
} from '@order-platform/tools';
import {
  cancelOrderUpdate,
  orderDeliveredSignal,
  orderLifecycle,
  orderStatusQuery,
  shipmentDispatchedSignal,
} from '@order-platform/workflows';

/** Every eventual read (query, projection, visibility, broker) gets this long to come true. */
const EVENTUALLY_MS = 30_000;

describe('the order journey on the real platform', () => {
  const apps = new AppsUnderTest('order-journey');
  const taskQueue = apps.taskQueue;
  let simulatorsUrl: string;
  let closeTemporal: (() => Promise<void>) | undefined;
  let temporal: Client;
  let readModel: PgClient;

  beforeAll(async () => {
    // The downstream world first: the worker's activities call it.
    // A short return window: a delivered order's run ends seconds after the delivery, as the
    // journeys await its result.
    simulatorsUrl = await apps.downstream({
      STAGE_POLICY_OVERRIDES: JSON.stringify({ standard: { returnWindowMs: '2s' } }),
    });
    // Another suite may have dialled the shared simulators; these journeys need them well behaved.
    await simulator('PUT', '/fraud/settings', {});
    await simulator('PUT', '/payments/settings', {});

    ({ client: temporal, close: closeTemporal } = await suiteTemporal());
    readModel = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await readModel.connect();
  }, 240_000);

  afterAll(async () => {
    await readModel?.end();
    await closeTemporal?.();
    await apps.stopAll();
  }, 60_000);

  it('an order placed on the real platform goes from RECEIVED to DELIVERED', async () => {
    const order = newOrder({ quantity: 2, unitPriceMinor: 12_50 });
    const { sku, quantity } = order.items[0]!;
    const total = orderTotalMinor(order);
    await setStock(sku, 10);

    const handle = await place(order);
    const ready = await reach(handle, 'ReadyForFulfillment');
    expect(ready.customer.status).toBe('READY_TO_SHIP');
    expect(await readModelOnceAt(order.orderId, 'ReadyForFulfillment')).toMatchObject({
      stage: 'ReadyForFulfillment',
      customer_status: 'READY_TO_SHIP',
    });

    // An operator finds it the way they would in the Web UI.
    const listed = await findWithTemporalCli(
      `OrderStage = "ReadyForFulfillment" AND CustomerId = "${order.customerId}"`,
    );
    expect(listed).toEqual([workflowIdForOrder(order.orderId)]);

    await handle.signal(shipmentDispatchedSignal, { trackingId: `track-${order.orderId}` });
    await reach(handle, 'Shipped');
    await handle.signal(orderDeliveredSignal);
    const delivered = await handle.result();
    expect(delivered.stage).toBe('Delivered');
    expect(delivered.customer.status).toBe('DELIVERED');

    // The facts, in order, on one partition, with ids a consumer can dedupe by.
    const events = await lifecycleEventsOf(order.orderId, { until: 'OrderDelivered' });
    expect(events.map((e) => e.event.eventType)).toEqual([
      'OrderAccepted',
      'FraudReviewRequested',
      'FraudApproved',
      'InventoryReserved',
      'PaymentAuthorized',
      'InventoryAllocated',
      'OrderConfirmed',
      'ShipmentCreated',
      'OrderShipped',
      'PaymentCaptured',
      'OrderDelivered',
    ]);
    expect(events.map((e) => e.event.sequence)).toEqual(events.map((_, i) => i + 1));
    expect(new Set(events.map((e) => e.partition)).size).toBe(1);
    const eventIds = events.map((e) => e.event.eventId);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    expect(eventIds).toEqual(
      events.map((e) => lifecycleEventId('order-workflow', order.orderId, e.event.sequence)),
    );

    // The read model says what the workflow says, at the workflow's last version.
    expect(await readModelRow(order.orderId)).toMatchObject({
      stage: 'Delivered',
      customer_status: 'DELIVERED',
      version: delivered.version,
    });

    const ledger = await simulator<LedgerEntry[]>(
      'GET',
      `/payments/ledger?orderId=${order.orderId}`,
    );
    expect(ledger.map(({ kind, amountMinor }) => ({ kind, amountMinor }))).toEqual([
      { kind: 'authorization', amountMinor: total },
      { kind: 'capture', amountMinor: total },
    ]);
    expect(await stockOf(sku)).toMatchObject({
      onHand: 10,
      reserved: 0,
      allocated: quantity,
      available: 10 - quantity,
    });
    expect(await notificationsOf(order.orderId)).toEqual(['confirmed', 'shipped', 'delivered']);
  });

  it('a customer who cancels while the order is ready to ship is never charged and the stock comes back', async () => {
    const order = newOrder({ quantity: 3, unitPriceMinor: 9_99 });
    const { sku } = order.items[0]!;
    await setStock(sku, 10);
    const stockBefore = await stockOf(sku);

    const handle = await place(order);
    await reach(handle, 'ReadyForFulfillment');
    const cancelled = await handle.executeUpdate(cancelOrderUpdate, {
      args: [{ reason: 'changed my mind', requestedBy: 'customer' }],
    });
    expect(cancelled.customer.status).toBe('CANCELLED');
    const ended = await handle.result();
    expect(ended.stage).toBe('Cancelled');

    const ledger = await simulator<LedgerEntry[]>(
      'GET',
      `/payments/ledger?orderId=${order.orderId}`,
    );
    expect(ledger.map((entry) => entry.kind)).toEqual(['authorization', 'void']);
    expect(await stockOf(sku)).toMatchObject({
      onHand: 10,
      reserved: 0,
      allocated: 0,
      available: stockBefore.available,
    });
    expect(await notificationsOf(order.orderId)).toEqual(['confirmed', 'cancelled']);

    // The parcel is recalled first: only then is the order cancelled (a parcel that had left
    // would have overturned the cancel); the money and the stock are undone after.
    const events = await lifecycleEventsOf(order.orderId, { until: 'InventoryReleased' });
    const types = events.map((e) => e.event.eventType);
    expect(types.slice(-4)).toEqual([
      'ShipmentCancelled',
      'OrderCancelled',
      'PaymentVoided',
      'InventoryReleased',
    ]);
    expect(types).not.toContain('PaymentCaptured');
    expect(await readModelRow(order.orderId)).toMatchObject({
      stage: 'Cancelled',
      customer_status: 'CANCELLED',
      version: ended.version,
    });
  });

  // --- helpers ---------------------------------------------------------------------------

  type OrderHandle = WorkflowHandle<typeof orderLifecycle>;

  function newOrder(line: { quantity: number; unitPriceMinor: number }): PlacedOrder {
    const id = randomUUID().slice(0, 8);
    return {
      orderId: `journey-${id}`,
      customerId: `customer-${id}`,
      segment: 'standard',
      items: [{ sku: `SKU-E2E-${id}`, ...line }],
      currency: 'EUR',
      expedited: false,
      placedAt: new Date().toISOString(),
    };
  }

  /** What the gateway will do: start the order's workflow; placing it twice is not an error. */
  function place(order: PlacedOrder): Promise<OrderHandle> {
    return temporal.workflow.start(orderLifecycle, {
      taskQueue,
      workflowId: workflowIdForOrder(order.orderId),
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [order],
    });
  }

  /** Polls the status query until the order is in `stage`. */
  function reach(handle: OrderHandle, stage: OrderStage) {
    return eventually(`${handle.workflowId} in ${stage}`, async () => {
      const view = await handle.query(orderStatusQuery);
      return view.stage === stage ? view : undefined;
    });
  }

  async function readModelRow(orderId: string): Promise<ReadModelRow | undefined> {
    const { rows } = await readModel.query<ReadModelRow>(
      'SELECT stage, customer_status, version FROM order_status WHERE order_id = $1',
      [orderId],
    );
    return rows[0];
  }

  /** The projection is eventual: polls the read model until it shows `stage`. */
  function readModelOnceAt(orderId: string, stage: OrderStage): Promise<ReadModelRow> {
    return eventually(`read model of ${orderId} at ${stage}`, async () => {
      const row = await readModelRow(orderId);
      return row?.stage === stage ? row : undefined;
    });
  }

  /** `temporal workflow list --query`, as an operator types it; visibility is eventual. */
  function findWithTemporalCli(query: string): Promise<string[]> {
    return eventually(`a workflow matching ${query}`, async () => {
      const { stdout } = await promisify(execFile)(suiteEnv('TEMPORAL_CLI'), [
        'workflow',
        'list',
        '--address',
        suiteEnv('TEMPORAL_ADDRESS'),
        '--namespace',
        suiteEnv('TEMPORAL_NAMESPACE'),
        '--query',
        query,
        '--output',
        'json',
      ]);
      const listed = (stdout.trim() ? JSON.parse(stdout) : []) as {
        execution: { workflowId: string };
      }[];
      return listed.length > 0 ? listed.map((w) => w.execution.workflowId) : undefined;
    });
  }

  /**
   * The order's lifecycle events as a new consumer reads `orders.lifecycle.v1` from the
   * beginning, up to and including the first event of type `until`.
   */
  async function lifecycleEventsOf(
    orderId: string,
    { until }: { until: LifecycleEventType },
  ): Promise<{ partition: number; event: LifecycleEvent }[]> {
    const records = await readTopic({
      brokers: suiteEnv('KAFKA_BROKERS').split(','),
      topic: TOPICS.orderLifecycle,
      accept: (record) => record.key === orderId,
      until: (accepted) => accepted.some((r) => JSON.parse(r.value).eventType === until),
      timeoutMs: EVENTUALLY_MS,
    });
    return records.map((r) => ({
      partition: r.partition,
      event: JSON.parse(r.value) as LifecycleEvent,
    }));
  }

  async function setStock(sku: string, onHand: number): Promise<void> {
    await simulator('PUT', `/warehouse/stock/${sku}`, { onHand });
  }

  const stockOf = (sku: string) => simulator<StockLevel>('GET', `/warehouse/stock/${sku}`);

  /** What the customer was told about the order, in order. */
  async function notificationsOf(orderId: string): Promise<string[]> {
    const sent = await simulator<{ kind: string }[]>('GET', `/notifications?orderId=${orderId}`);
    return sent.map((notification) => notification.kind);
  }

  /** Reads or dials the simulators over HTTP; anything but 200 fails the test with its problem. */
  const simulator = <T = unknown>(method: 'GET' | 'PUT', path: string, body?: unknown) =>
    simulatorCall<T>(simulatorsUrl, method, path, body);
});

interface ReadModelRow {
  stage: string;
  customer_status: string;
  version: number;
}

interface LedgerEntry {
  kind: 'authorization' | 'void' | 'capture' | 'refund';
  amountMinor: number;
}

interface StockLevel {
  onHand: number;
  reserved: number;
  allocated: number;
  available: number;
}
