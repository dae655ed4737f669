/**
 * Two workers on the same task queues, as processes on the real stack. Orders are shared
 * between them; the backlog monitor and the reconciliation schedule run once, not once per
 * worker, and go on when a worker dies; each worker's fraud circuit breaker is its own (one
 * worker's opens while the other's stays closed), and operators see both on the ops API, a
 * stopped worker dropping off it.
 */
import { randomUUID } from 'node:crypto';
import { type Client } from '@temporalio/client';
import {
  backlogMonitorWorkflowId,
  BACKLOG_MONITOR_WORKFLOW_TYPE,
  RECONCILIATION_WORKFLOW_TYPE,
} from '@order-platform/workflows';
import {
  AppsUnderTest,
  calmDownstream,
  eventually,
  gatewayCall,
  simulatorCall,
  suiteEnv,
  suiteTemporal,
} from '@order-platform/tools';
import { mintToken, stackTokenKeys } from '@order-platform/runtime';
import { RECONCILIATION_SCHEDULE_ID } from './reconciliation-schedule';

const MONITOR_INTERVAL_MS = 1000;
const RECONCILIATION_INTERVAL_MS = 10_000;

describe('several workers on the same task queues', () => {
  const apps = new AppsUnderTest('several-workers');
  let simulators: string;
  let gateway: string;
  let closeTemporal: (() => Promise<void>) | undefined;
  let temporal: Client;
  const startedAt = new Date();

  const token = (role: 'customer' | 'operator', subject: string) =>
    mintToken(
      { subject, roles: [role], segment: 'standard' },
      stackTokenKeys(process.env, suiteEnv('GATEWAY_JWT_SECRET')),
    );

  /** The simulators play every downstream and the catalogue. */
  const downstreamEnv = () => ({
    FRAUD_URL: simulators,
    WAREHOUSE_URL: simulators,
    PAYMENTS_URL: simulators,
    FULFILLMENT_URL: simulators,
    NOTIFIER_URL: simulators,
    CATALOGUE_URL: simulators,
  });

  const workerEnv = (fraudCircuitFailures: number) => ({
    ...downstreamEnv(),
    BACKLOG_MONITOR_INTERVAL_MS: String(MONITOR_INTERVAL_MS),
    RECONCILIATION_INTERVAL_MS: String(RECONCILIATION_INTERVAL_MS),
    // Each run over the last minute's orders, unthrottled: with the default day at 20 orders a
    // second, a run over the orders earlier suites left outlasts every tick this suite waits for
    // (the schedule skips ticks while a run is open; seen in CI as no run in 120 s).
    RECONCILIATION_LOOKBACK_MS: '60000',
    RECONCILIATION_ORDERS_PER_SECOND: '1000',
    FRAUD_CIRCUIT_FAILURES: String(fraudCircuitFailures),
    FRAUD_CIRCUIT_OPEN_MS: '600000',
  });

  beforeAll(async () => {
    ({ client: temporal, close: closeTemporal } = await suiteTemporal());
    // The namespace's schedule as earlier suites' workers left it (their queues unpolled, a run
    // of theirs perhaps still open, which the schedule's SKIP policy waits for): gone, so the two
    // workers below make it between them, as they would on a fresh namespace.
    await temporal.schedule
      .getHandle(RECONCILIATION_SCHEDULE_ID)
      .delete()
      .catch(() => undefined);
    // Gone for good before the workers make it again: a create that meets the old schedule while
    // it is still being removed is taken as "exists", and the update then lands on the one that
    // goes, leaving no schedule that fires (0 runs, seen in CI's suite order).
    await eventually('the old schedule gone', async () =>
      temporal.schedule
        .getHandle(RECONCILIATION_SCHEDULE_ID)
        .describe()
        .then(
          () => undefined,
          () => true,
        ),
    );
    simulators = await apps.start('simulators');
    await calmDownstream(simulators);
    // worker-a's breaker opens at the first failed screening, worker-b's practically never.
    await Promise.all([
      apps.start('worker', 'worker-a', workerEnv(1)),
      apps.start('worker', 'worker-b', workerEnv(1000)),
    ]);
    gateway = await apps.start('gateway', 'gateway', downstreamEnv());
  }, 300_000);

  afterAll(async () => {
    await calmDownstream(simulators).catch(() => undefined);
    // The schedule is the namespace's one; a later suite's worker makes it again as it needs.
    await temporal?.schedule
      .getHandle(RECONCILIATION_SCHEDULE_ID)
      .delete()
      .catch(() => undefined);
    await temporal?.workflow
      .getHandle(backlogMonitorWorkflowId(apps.taskQueue))
      .terminate('test over')
      .catch(() => undefined);
    await closeTemporal?.();
    await apps.stopAll();
  }, 120_000);

  async function checksOfTheMonitor(): Promise<number> {
    let checks = 0;
    // Every run of the monitor since the suite started (it continues as new now and then).
    for await (const run of temporal.workflow.list({
      query: `WorkflowId = "${backlogMonitorWorkflowId(apps.taskQueue)}"`,
    })) {
      const history = await temporal.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      checks += (history.events ?? []).filter((e) => e.activityTaskCompletedEventAttributes).length;
    }
    return checks;
  }

  it('runs one backlog monitor for the queue, measuring once per interval', async () => {
    const running = `WorkflowType = "${BACKLOG_MONITOR_WORKFLOW_TYPE}" AND TaskQueue = "${apps.taskQueue}" AND ExecutionStatus = "Running"`;
    await eventually('the monitor to run', async () =>
      (await temporal.workflow.count(running)).count === 1 ? true : undefined,
    );
    const from = await checksOfTheMonitor();
    const t0 = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const checks = (await checksOfTheMonitor()) - from;
    const intervals = (Date.now() - t0) / MONITOR_INTERVAL_MS;
    // Once per interval (a check takes a little time of its own), never once per worker.
    expect(checks).toBeGreaterThanOrEqual(2);
    expect(checks).toBeLessThanOrEqual(Math.ceil(intervals) + 1);
    expect((await temporal.workflow.count(running)).count).toBe(1);
  }, 60_000);

  it('keeps one reconciliation schedule, starting one run per interval however many workers keep it', async () => {
    const schedules = [];
    for await (const schedule of temporal.schedule.list()) {
      if (schedule.scheduleId === RECONCILIATION_SCHEDULE_ID) schedules.push(schedule);
    }
    expect(schedules).toHaveLength(1);
    const described = await temporal.schedule.getHandle(RECONCILIATION_SCHEDULE_ID).describe();
    expect(described.spec.intervals?.[0]?.every).toBe(RECONCILIATION_INTERVAL_MS);
    expect(described.action).toMatchObject({ taskQueue: apps.taskQueue });

    // Every run since the workers made the schedule: the first tick may come before this test.
    const runStarts = async (): Promise<number[]> => {
      const starts: number[] = [];
      for await (const run of temporal.workflow.list({
        query: `WorkflowType = "${RECONCILIATION_WORKFLOW_TYPE}" AND TaskQueue = "${apps.taskQueue}" AND StartTime > "${startedAt.toISOString()}"`,
      })) {
        starts.push(run.startTime.getTime());
      }
      return starts.sort((a, b) => a - b);
    };
    // What the schedule says of itself, for the message when its runs do not come.
    const scheduleState = async () => {
      const { info } = await temporal.schedule.getHandle(RECONCILIATION_SCHEDULE_ID).describe();
      return JSON.stringify({
        recentActions: info.recentActions.length,
        runningActions: info.runningActions.length,
        nextActionTimes: info.nextActionTimes.slice(0, 2),
        skippedOverlap: info.numActionsSkippedOverlap,
        missedCatchupWindow: info.numActionsMissedCatchupWindow,
      });
    };
    await eventually(
      'two scheduled reconciliation runs',
      async () => {
        if ((await runStarts()).length >= 2) return true;
        throw new Error(`schedule: ${await scheduleState()}`);
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 2.5 * RECONCILIATION_INTERVAL_MS));
    const starts = await runStarts();
    const ticks = (Date.now() - startedAt.getTime()) / RECONCILIATION_INTERVAL_MS;
    // One run per tick at most, not one per worker: never two runs for one tick. Fewer when a run
    // outlasts the interval (the schedule skips overlapping ticks).
    expect(starts.length).toBeLessThanOrEqual(Math.ceil(ticks) + 1);
    for (let i = 1; i < starts.length; i++) {
      expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(0.8 * RECONCILIATION_INTERVAL_MS);
    }
  }, 200_000);

  it("shows each worker's own fraud circuit on the ops API: one open, one closed, a stopped worker gone", async () => {
    const operator = await token('operator', 'ops-several-workers');
    const circuits = async () =>
      (await gatewayCall(gateway, 'GET', '/v1/ops/degraded-modes', { token: operator })).body
        .circuits as { workerId: string; state: string; why: string }[];
    await eventually('both workers to report their circuit', async () =>
      (await circuits()).length === 2 ? true : undefined,
    );
    expect((await circuits()).map((c) => c.state)).toEqual(['closed', 'closed']);

    // The provider fails every screening; orders keep both workers' fraud pollers busy.
    await simulatorCall(simulators, 'PUT', '/fraud/settings', { failureRate: 1 });
    const customer = await token('customer', `c-${randomUUID().slice(0, 8)}`);
    for (let i = 0; i < 6; i++) {
      const placed = await gatewayCall(gateway, 'POST', '/v1/orders', {
        token: customer,
        headers: { 'idempotency-key': randomUUID() },
        body: {
          items: [{ sku: 'SKU-1', quantity: 1 }],
          shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: '12345', country: 'DE' },
        },
      });
      expect(placed.status).toBe(202);
    }
    const split = await eventually(
      "worker-a's circuit to open while worker-b's stays closed",
      async () => {
        const now = await circuits();
        const states = now.map((c) => c.state).sort();
        return states.join() === 'closed,open' ? now : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(split.find((c) => c.state === 'open')!.why).toMatch(/failed/);

    // A worker that stops drops off the list; the other's circuit is still shown.
    await apps.stop('worker-a');
    const left = await eventually('the stopped worker to drop off', async () => {
      const now = await circuits();
      return now.length === 1 ? now : undefined;
    });
    expect(left[0]!.state).toBe('closed');
  }, 120_000);

  it('goes on measuring with one worker left', async () => {
    expect(apps.isRunning('worker-a')).toBe(false);
    const from = await checksOfTheMonitor();
    await eventually('the monitor to measure on the remaining worker', async () =>
      (await checksOfTheMonitor()) >= from + 2 ? true : undefined,
    );
  }, 60_000);
});
