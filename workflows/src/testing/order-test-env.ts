/**
 * Runs the order workflows (the platform's, the legacy one, reconciliation) on Temporal's
 * time-skipping test server with a fake downstream world: one server per test file, the
 * workflow bundle built once, a fresh world and worker per test.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import {
  bulkheadTaskQueue,
  DOWNSTREAMS,
  ORDER_SEARCH_ATTRIBUTES,
  type OrderStage,
  type OrderStatusView,
  type PlacedOrder,
  type SearchAttributeKind,
  workflowIdForOrder,
} from '@order-platform/domain';
import { startTimeSkippingServer } from '@order-platform/tools';
import { WORKFLOWS_PATH, workflowBundlerOptions } from '../bundle';
import { orderLifecycle, orderStatusQuery } from '../index';
import type { Workflow } from '@temporalio/common';
import { type FakeOrderWorld } from './fake-order-world';

export type OrderHandle = WorkflowHandle<typeof orderLifecycle>;

export class OrderTestEnv {
  private constructor(
    readonly env: TestWorkflowEnvironment,
    private readonly bundle: WorkflowBundleWithSourceMap,
  ) {}

  static async start(): Promise<OrderTestEnv> {
    const [env, bundle] = await Promise.all([
      startTimeSkippingServer(),
      bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        logger: quietBundlerLogger,
        ...workflowBundlerOptions(),
      }),
    ]);
    // The test server knows no custom search attributes until told, unlike our dev server.
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(
        Object.entries(ORDER_SEARCH_ATTRIBUTES).map(([name, kind]) => [
          name,
          INDEXED_VALUE_TYPE[kind],
        ]),
      ),
    });
    return new OrderTestEnv(env, bundle);
  }

  async teardown(): Promise<void> {
    await this.env.teardown();
  }

  /**
   * Starts a worker over `world` (and `moreActivities`, for the workflows that need others),
   * runs `scenario`, and stops the worker when it is done. `leaveRunning` keeps the orders
   * started for a later run on the same `taskQueue`: in between, no worker takes their tasks,
   * so whatever is sent to them meanwhile reaches them in one workflow task.
   */
  async run<T>(
    world: FakeOrderWorld,
    scenario: () => Promise<T>,
    moreActivities: object = {},
    options: { taskQueue?: string; leaveRunning?: boolean } = {},
  ): Promise<T> {
    const taskQueue = options.taskQueue ?? `orders-${randomUUID()}`;
    this.taskQueue = taskQueue;
    const activities = { ...world.activities(), ...moreActivities };
    const worker = await Worker.create({
      connection: this.env.nativeConnection,
      taskQueue,
      workflowBundle: this.bundle,
      activities,
      // Orders left running must not wait on the sticky queue of a worker that is gone: the
      // test server never hands their tasks back to the shared queue.
      ...(options.leaveRunning ? { maxCachedWorkflows: 0 } : {}),
    });
    // The downstream calls go to their bulkhead task queues, as in the real worker.
    const bulkheads = await Promise.all(
      DOWNSTREAMS.map((downstream) =>
        Worker.create({
          connection: this.env.nativeConnection,
          taskQueue: bulkheadTaskQueue(taskQueue, downstream),
          activities,
        }),
      ),
    );
    const bulkheadsRunning = Promise.all(bulkheads.map((bulkhead) => bulkhead.run()));
    try {
      return await worker.runUntil(async () => {
        try {
          return await scenario();
        } finally {
          await this.settleActivities();
        }
      });
    } finally {
      // An order left running has no worker any more, and its pending tasks would stop the
      // test server from skipping time for every later test: end them.
      if (!options.leaveRunning) {
        await Promise.all(
          this.started
            .splice(0)
            .map((handle) => handle.terminate('test over').catch(() => undefined)),
        );
      }
      for (const bulkhead of bulkheads) bulkhead.shutdown();
      await bulkheadsRunning;
    }
  }

  /**
   * Waits (a few seconds at most) until no started order has an activity in flight. Terminating
   * an order while one of its activities runs has left the time-skipping server unable to skip
   * time for every later test, so a test that ends early (a notification still being sent, say)
   * lets it finish first.
   */
  private async settleActivities(): Promise<void> {
    const deadline = Date.now() + 5_000;
    for (const handle of this.started) {
      while (Date.now() < deadline) {
        const { raw } = await handle.describe();
        if ((raw.pendingActivities ?? []).length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  private taskQueue = '';

  /** The task queue of the current (or last) run, to run another worker on it. */
  get currentTaskQueue(): string {
    return this.taskQueue;
  }

  private readonly started: WorkflowHandle[] = [];

  /** Starts any workflow on this run's task queue; it is ended with the run if still running. */
  async start<W extends Workflow>(
    workflow: W,
    options: Omit<WorkflowStartOptions<W>, 'taskQueue'>,
  ): Promise<WorkflowHandle<W>> {
    const handle = await this.env.client.workflow.start(workflow, {
      ...options,
      taskQueue: this.taskQueue,
    } as WorkflowStartOptions<W>);
    this.started.push(handle);
    return handle;
  }

  async place(overrides: Partial<PlacedOrder> = {}): Promise<OrderHandle> {
    const order = placedOrder(overrides);
    const handle = await this.env.client.workflow.start(orderLifecycle, {
      taskQueue: this.taskQueue,
      workflowId: workflowIdForOrder(order.orderId),
      // Placing an order twice is not an error: the second start returns the running order.
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [order],
    });
    this.started.push(handle);
    return handle;
  }

  /** Polls the status query until the order is in `stage` (time does not skip while polling). */
  async reach(
    handle: OrderHandle,
    stage: OrderStage,
    timeoutMs = 20_000,
  ): Promise<OrderStatusView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await handle.query(orderStatusQuery);
      if (view.stage === stage) return view;
      if (Date.now() > deadline)
        throw new Error(`order stayed in ${view.stage}, expected ${stage}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Lets workflow time pass (timers fire) without waiting for it. */
  skip(duration: string): Promise<void> {
    return this.env.sleep(duration);
  }

  now(): Promise<number> {
    return this.env.currentTimeMs();
  }

  /**
   * With RECORD_HISTORIES=1, keeps the run's history under workflows/histories/ for the replay
   * test: commit it when the workflow's first release (or a patched change) ships. Stored as the
   * History protobuf itself: the SDK's JSON converter breaks on the two protobufjs copies npm
   * installs here (grpc's 7.x beside the SDK's 8.x). A committed history is never overwritten:
   * it is a run of older code that must go on replaying, so a run of changed code is kept under
   * a new name.
   */
  async keepHistory(handle: WorkflowHandle, name: string): Promise<void> {
    if (process.env.RECORD_HISTORIES !== '1') return;
    mkdirSync(HISTORIES_DIR, { recursive: true });
    const file = join(HISTORIES_DIR, `${name}.history.pb`);
    if (existsSync(file)) return;
    const history = await handle.fetchHistory();
    writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
  }

  /** The workflow bundle of this run, for replaying histories against the current code. */
  get workflowBundle(): WorkflowBundleWithSourceMap {
    return this.bundle;
  }
}

const INDEXED_VALUE_TYPE: Record<SearchAttributeKind, temporal.api.enums.v1.IndexedValueType> = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  Double: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
};

export const HISTORIES_DIR = join(__dirname, '..', '..', 'histories');

let orderCounter = 0;

export function placedOrder(overrides: Partial<PlacedOrder> = {}): PlacedOrder {
  orderCounter += 1;
  return {
    orderId: `o-${randomUUID().slice(0, 8)}-${orderCounter}`,
    customerId: 'customer-1',
    segment: 'standard',
    items: [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: 2_500 }],
    currency: 'EUR',
    expedited: false,
    placedAt: '2026-11-23T10:00:00.000Z',
    ...overrides,
  };
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta),
};
