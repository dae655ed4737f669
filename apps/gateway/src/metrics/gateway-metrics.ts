/**
 * The gateway's Prometheus metrics: request latency by route, admission (admitted, shed and
 * why, the pending count and drain rate), orders per business stage and how many are overdue,
 * the degraded modes, open operator tasks (compensations refused for good among them), parked
 * dead letters, each readiness check's status, the status read's cache, and the process's own
 * memory and event loop.
 * What comes from the database (backlog, modes, tasks, dead letters) and readiness is read
 * at most once per METRICS_REFRESH_MS however many scrapes ask (every gateway's Prometheus, a
 * burst of them), and a scrape while the database is down serves the last values.
 */
import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DEGRADED_MODE_NAMES } from '@order-platform/domain';
import { ReadinessProbe, refreshedAtMost } from '@order-platform/runtime';
import {
  CustomerOrderCache,
  PostgresOrderReadChanges,
  DeadLetterStore,
  type DegradedModeState,
  OperatorTaskStore,
} from '@order-platform/stores';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { DegradedModesService } from '../degraded-modes/degraded-modes.service';
import { READINESS } from '../infrastructure/infrastructure.module';
import { BacklogService } from '../ops/backlog.service';

@Injectable()
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly requestDuration = new Histogram({
    name: 'order_platform_gateway_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly admitted = new Counter({
    name: 'order_platform_gateway_orders_admitted_total',
    help: 'Orders admitted (workflow started), by lane',
    labelNames: ['lane'] as const,
    registers: [this.registry],
  });

  readonly shed = new Counter({
    name: 'order_platform_gateway_orders_shed_total',
    help: 'Order submissions refused, by reason (429: backlog, rate-limit, in-flight; 503: unavailable) and lane',
    labelNames: ['reason', 'lane'] as const,
    registers: [this.registry],
  });

  readonly pending = new Gauge({
    name: 'order_platform_gateway_admission_pending_orders',
    help: 'Work not yet started, as admission last measured it',
    registers: [this.registry],
  });

  readonly drainRate = new Gauge({
    name: 'order_platform_gateway_admission_drain_per_second',
    help: 'Orders leaving the not-yet-started backlog per second (smoothed)',
    registers: [this.registry],
  });

  constructor(
    backlog: BacklogService,
    degradedModes: DegradedModesService,
    tasks: OperatorTaskStore,
    deadLetters: DeadLetterStore,
    @Inject(READINESS) readiness: ReadinessProbe,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    statusReads: CustomerOrderCache,
    readChanges: PostgresOrderReadChanges,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'order_platform_gateway_' });
    // From memory, not the database: what the status read's cache holds and whether it serves.
    new Gauge({
      name: 'order_platform_gateway_status_read_cache_serving',
      help: 'Whether status reads are answered from memory (1): on, and every change announced',
      registers: [this.registry],
      collect() {
        this.set(statusReads.serving ? 1 : 0);
      },
    });
    new Gauge({
      name: 'order_platform_gateway_status_read_cache_orders',
      help: 'Orders held in memory for status reads (one past its age counts until read or evicted)',
      registers: [this.registry],
      collect() {
        this.set(statusReads.size);
      },
    });
    new Gauge({
      name: 'order_platform_gateway_notification_queue_usage',
      help: "Share of PostgreSQL's notification queue in use, as the status read's listener last saw it (0 while not listening); full, every write that announces a change fails",
      registers: [this.registry],
      collect() {
        this.set(readChanges.notificationQueueUsage ?? 0);
      },
    });
    readiness.registerMetrics(this.registry);
    const { refreshMs } = config.metrics;
    const stages = refreshedAtMost(
      refreshMs,
      async () => (await backlog.snapshot(refreshMs)).stages,
    );
    const modes = refreshedAtMost(refreshMs, () =>
      Promise.all(DEGRADED_MODE_NAMES.map((name) => degradedModes.get(name))),
    );
    const openTasks = refreshedAtMost(refreshMs, () => tasks.openCounts());
    const parked = refreshedAtMost(refreshMs, () => deadLetters.parkedCounts());
    const registry = this.registry;
    new Gauge({
      name: 'order_platform_operator_tasks_open',
      help: 'Operator tasks open, per kind (compensation-failed: an undo refused for good)',
      labelNames: ['kind'] as const,
      registers: [registry],
      async collect() {
        const counts = await openTasks().catch(() => undefined);
        for (const [kind, open] of Object.entries(counts ?? {})) this.set({ kind }, open);
      },
    });
    new Gauge({
      name: 'order_platform_dead_letters_parked',
      help: 'Dead letters indexed and not replayed, per dead-letter topic',
      labelNames: ['dlq_topic'] as const,
      registers: [registry],
      async collect() {
        const counts = await parked().catch(() => undefined);
        if (!counts) return;
        // A topic emptied by replays reads 0, not its last count.
        this.reset();
        for (const { dlqTopic, parked: count } of counts) this.set({ dlq_topic: dlqTopic }, count);
      },
    });
    const perStage = (name: string, help: string, pick: (s: StageRow) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['stage'] as const,
        registers: [this.registry],
        async collect() {
          // The database down: the last values stay, the scrape still answers.
          const rows = await stages().catch(() => []);
          for (const stage of rows) this.set({ stage: stage.stage }, pick(stage) ?? 0);
        },
      });
    perStage('order_platform_orders_in_stage', 'Open orders per business stage', (s) => s.count);
    perStage(
      'order_platform_orders_overdue',
      'Open orders past their stage deadline, per stage',
      (s) => s.overdueCount,
    );
    perStage(
      'order_platform_stage_oldest_age_seconds',
      'Age of the oldest order in each stage',
      (s) => s.oldestAgeSeconds,
    );
    const perMode = (name: string, help: string, pick: (m: DegradedModeState) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['mode'] as const,
        registers: [this.registry],
        async collect() {
          for (const mode of await modes().catch(() => []))
            this.set({ mode: mode.name }, pick(mode));
        },
      });
    perMode(
      'order_platform_degraded_mode_active',
      'Whether a degraded mode is on (1) or off',
      (m) => (m.active ? 1 : 0),
    );
    perMode(
      'order_platform_fraud_backlog_waiting',
      'Orders awaiting a fraud decision, as the backlog monitor last measured',
      (m) => m.measured?.waiting ?? 0,
    );
    perMode(
      'order_platform_fraud_backlog_overdue',
      "Of those, the ones waiting past the mode's fraud target",
      (m) => m.measured?.overdue ?? 0,
    );
  }
}

type StageRow = Awaited<ReturnType<BacklogService['snapshot']>>['stages'][number];
