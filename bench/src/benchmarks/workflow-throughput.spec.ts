/**
 * How the workflow benchmark adds up one side's alternating bursts: one burst as long as both,
 * not the mean of their rates, which would overweight a burst a neighbour's load slowed down.
 */
import type { WorkflowCost } from '../support/history';
import { addedUp } from './workflow-throughput';

const cost = (activities: number): WorkflowCost => ({
  workflowTasks: 7,
  activities,
  localActivities: 7,
  events: 50,
  workflowTaskQueueMs: 0,
  workflowTaskRunMs: 0,
  activityQueueMs: 0,
  activityRunMs: 0,
  activityRunMsByType: {},
});

const burst = (orders: number, elapsedMs: number, workerCpuMs: number) => ({
  ordersPerSecond: (orders * 1000) / elapsedMs,
  orders,
  elapsedMs,
  latenciesMs: Array.from({ length: orders }, (_, i) => elapsedMs - i),
  costs: Array.from({ length: orders }, () => cost(orders === 10 ? 6 : 8)),
  latency: { count: orders, p50Ms: 0, p99Ms: 0, maxMs: 0 },
  cost: cost(0),
  cpuMsPerOrder: { worker: workerCpuMs },
});

describe("the workflow benchmark's bursts added up", () => {
  it('gives the orders over the bursts’ time together, every order’s latency and cost', () => {
    const side = addedUp([burst(10, 1_000, 100), burst(30, 9_000, 200)]);
    expect(side.ordersPerSecond).toBe(4); // 40 orders in 10 s, not the mean of 10 and 3.33
    expect(side.latency.count).toBe(40);
    expect(side.latency.maxMs).toBe(9_000);
    expect(side.cost.activities).toBeCloseTo(7.5); // 10 orders of 6, 30 of 8
    expect(side.cpuMsPerOrder?.worker).toBeCloseTo(175); // weighted by orders, not 150
  });
});
