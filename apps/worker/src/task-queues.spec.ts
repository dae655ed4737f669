import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { type Downstream, DOWNSTREAMS } from '@order-platform/domain';
import {
  createWorkerActivities,
  taskQueueWorkers,
  type WorkerActivityDependencies,
} from './task-queues';

/** What the workflows schedule on each task queue (workflows/src/*: their activity stubs). */
const SCHEDULED_ON: Record<Downstream | 'orders', string[]> = {
  orders: [
    // the order workflow and the legacy order workflow
    'loadStagePolicy',
    'routeFraudDecision',
    'publishLifecycleEvent',
    'projectOrderStatus',
    'recordOrderChange',
    // the legacy order workflow (strangler)
    'resolveStageRoutes',
    'checkAvailability',
    'tellMonolithFraudDecision',
    'tellMonolithStageOutcome',
    // the backlog monitor
    'checkBacklog',
    // reconciliation
    'minimumGrace',
    'ordersToReconcile',
    'inspectHoldings',
    'inspectHoldingsOfPage',
    'repair',
    'recordException',
  ],
  fraud: ['screenOrder'],
  inventory: ['reserveInventory', 'allocateInventory', 'releaseInventory', 'restockInventory'],
  payment: ['authorizePayment', 'voidAuthorization', 'capturePayment', 'refundCapture'],
  fulfillment: ['createShipment', 'cancelShipment'],
  notifications: ['notifyCustomer'],
};

/** Ports that note which context was called, and answer anything. */
function recordingPorts(calls: string[]): WorkerActivityDependencies['downstream'] {
  const port = (context: Downstream) =>
    new Proxy(
      {},
      {
        get: (_, method) => async () => {
          calls.push(`${context}.${String(method)}`);
          return {};
        },
      },
    );
  return {
    ...Object.fromEntries(DOWNSTREAMS.map((context) => [context, port(context)])),
    // The platform's own addresses, which only the fulfilment context reads.
    shippingAddresses: {
      find: async () => {
        calls.push('fulfillment.shippingAddresses.find');
        return { state: 'none' };
      },
    },
    // The platform's record of notifications sent, which only the notifications context writes.
    sentNotifications: {
      record: async () => void calls.push('notifications.sentNotifications.record'),
    },
  } as unknown as WorkerActivityDependencies['downstream'];
}

/** Dependencies no bulkhead activity may touch. */
const untouchable = (name: string) =>
  new Proxy(
    {},
    {
      get: (_, property) => {
        throw new Error(`a bulkhead activity reached ${name}.${String(property)}`);
      },
    },
  );

function workers(calls: string[] = []) {
  const activities = createWorkerActivities({
    order: untouchable('order') as WorkerActivityDependencies['order'],
    backlogMonitor: untouchable('backlogMonitor') as WorkerActivityDependencies['backlogMonitor'],
    reconciliation: untouchable('reconciliation') as WorkerActivityDependencies['reconciliation'],
    strangler: untouchable('strangler') as WorkerActivityDependencies['strangler'],
    downstream: recordingPorts(calls),
  });
  const limits = Object.fromEntries(DOWNSTREAMS.map((d, i) => [d, 10 + i])) as Record<
    Downstream,
    number
  >;
  return taskQueueWorkers('orders', limits, activities);
}

const namesOf = (activities: object) => Object.keys(activities).sort();

describe('what each task queue of the worker runs', () => {
  it('runs the workflows and the platform’s own activities on the order task queue only', () => {
    const [orders, ...bulkheads] = workers();
    expect(orders).toMatchObject({ taskQueue: 'orders', runsWorkflows: true });
    expect(namesOf(orders!.activities)).toEqual([...SCHEDULED_ON.orders].sort());
    expect(bulkheads.every((bulkhead) => !bulkhead.runsWorkflows)).toBe(true);
  });

  it('gives every downstream context a bulkhead of its own, under its own limit', () => {
    const [, ...bulkheads] = workers();
    expect(bulkheads.map((b) => [b.taskQueue, b.maxConcurrentActivityTaskExecutions])).toEqual([
      ['orders.fraud', 10],
      ['orders.inventory', 11],
      ['orders.payment', 12],
      ['orders.fulfillment', 13],
      ['orders.notifications', 14],
    ]);
  });

  it.each(DOWNSTREAMS)(
    'registers on the %s bulkhead what the workflows schedule there, and nothing else',
    (context) => {
      const bulkhead = workers().find((w) => w.taskQueue === `orders.${context}`)!;
      expect(namesOf(bulkhead.activities)).toEqual([...SCHEDULED_ON[context]].sort());
    },
  );

  it.each(DOWNSTREAMS)(
    'lets the activities of the %s bulkhead call its own context only',
    async (context) => {
      const calls: string[] = [];
      const bulkhead = workers(calls).find((w) => w.taskQueue === `orders.${context}`)!;
      const environment = new MockActivityEnvironment(
        { workflowExecution: { workflowId: 'order-o-1', runId: 'run-1' } },
        { logger: new DefaultLogger('ERROR') },
      );
      const input = { step: 'step', orderId: 'o-1', customerId: 'c-1', kind: 'confirmed' };
      for (const activity of Object.values(bulkhead.activities) as ((i: unknown) => unknown)[]) {
        await environment.run(activity as (i: unknown) => Promise<unknown>, input);
      }
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.filter((call) => !call.startsWith(`${context}.`))).toEqual([]);
    },
  );

  it('registers no activity on two task queues', () => {
    const names = workers().flatMap((worker) => Object.keys(worker.activities));
    expect(new Set(names).size).toBe(names.length);
  });
});
