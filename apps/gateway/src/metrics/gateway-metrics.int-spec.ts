/**
 * The cost of /metrics on the real PostgreSQL: the gauges read from the database (the backlog
 * by stage, the degraded modes) and the readiness checks are read at most once per
 * METRICS_REFRESH_MS, so a burst of scrapes (several Prometheus servers, a retry storm, an
 * attacker on the public endpoint) costs a bounded number of queries, not one set per scrape.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ReadinessProbe } from '@order-platform/runtime';
import {
  CustomerOrderCache,
  DeadLetterStore,
  OperatorTaskStore,
  OrderStatusStore,
  PostgresOrderReadChanges,
} from '@order-platform/stores';
import { suiteDataSource, suiteDatabaseUrl } from '@order-platform/stores/testing';
import type { GatewayConfig } from '../config';
import { DegradedModesService } from '../degraded-modes/degraded-modes.service';
import { BacklogService } from '../ops/backlog.service';
import { GatewayMetrics } from './gateway-metrics';

describe('the cost of a scrape (real PostgreSQL)', () => {
  let db: DataSource;
  let queries = 0;

  beforeAll(async () => {
    db = await suiteDataSource({ applicationName: 'gateway-metrics-spec' });
    // Every statement the metrics cause goes through the DataSource: count them there.
    const query = db.query.bind(db);
    db.query = ((...args: Parameters<DataSource['query']>) => {
      queries++;
      return query(...args);
    }) as DataSource['query'];
    const transaction = db.transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
    db.transaction = ((...args: unknown[]) => {
      queries++;
      return transaction(...args);
    }) as DataSource['transaction'];
  });

  afterAll(async () => {
    await db?.destroy();
  });

  function metricsFor(refreshMs: number): GatewayMetrics {
    const config = {
      taskQueue: `metrics-${randomUUID()}`,
      metrics: { refreshMs },
    } as GatewayConfig;
    const readiness = new ReadinessProbe(
      [{ name: 'postgres', check: async () => void (await db.query('SELECT 1')) }],
      { maxAgeMs: refreshMs },
    );
    return new GatewayMetrics(
      new BacklogService(new OrderStatusStore(db)),
      new DegradedModesService(config, db),
      new OperatorTaskStore(db),
      new DeadLetterStore(db),
      readiness,
      config,
      // Not listening: the status read's cache reports it serves nothing.
      new CustomerOrderCache(
        new OrderStatusStore(db),
        { listening: false, onChange: () => undefined },
        { maxEntries: 10, maxAgeMs: 5_000 },
      ),
      // Never started: no queue usage seen.
      new PostgresOrderReadChanges(suiteDatabaseUrl(), {
        applicationName: 'gateway-metrics-spec',
        logger: { warn: () => undefined, info: () => undefined },
      }),
    );
  }

  it('answers a burst of 300 scrapes with one round of queries, and every scrape has the gauges', async () => {
    const metrics = metricsFor(60_000);
    queries = 0;
    const burst = await Promise.all(Array.from({ length: 200 }, () => metrics.registry.metrics()));
    for (let i = 0; i < 100; i++) burst.push(await metrics.registry.metrics());
    // One round: the backlog, each degraded mode (a first read creates its row), operator
    // tasks, dead letters, readiness.
    expect(queries).toBeGreaterThan(0);
    expect(queries).toBeLessThanOrEqual(8);
    for (const text of burst) {
      expect(text).toMatch(
        /^order_platform_orders_in_stage\{stage="AwaitingFraudDecision"\} \d+$/m,
      );
      expect(text).toMatch(/^order_platform_degraded_mode_active\{mode="fraud-backlog"\} [01]$/m);
      expect(text).toContain('order_platform_health_check{check="postgres",status="up"} 1');
      expect(text).toContain('order_platform_gateway_status_read_cache_serving 0');
      expect(text).toMatch(
        /^order_platform_operator_tasks_open\{kind="compensation-failed"\} \d+$/m,
      );
    }
  });

  it('reads again once per refresh interval under continuous scraping, not per scrape', async () => {
    const refreshMs = 200;
    const metrics = metricsFor(refreshMs);
    await metrics.registry.metrics(); // the modes' rows exist from here on
    queries = 0;
    const started = Date.now();
    let scrapes = 0;
    // At least 300 scrapes over at least 1.5 s (several refresh intervals), however slow the machine.
    while (scrapes < 300 || Date.now() - started < 1_500) {
      await Promise.all(Array.from({ length: 10 }, () => metrics.registry.metrics()));
      scrapes += 10;
    }
    const elapsed = Date.now() - started;
    const rounds = Math.ceil(elapsed / refreshMs) + 1;
    // Each round: the backlog, each degraded mode, tasks, dead letters, readiness (5 today).
    expect(queries).toBeLessThanOrEqual(rounds * 6);
    expect(queries).toBeLessThan(scrapes);
  });
});
