/**
 * The gateway's Prometheus metrics: request latency by route, admission (admitted, shed and
 * why, the pending count and drain rate), orders per business stage and how many are overdue
 * (read from the backlog at scrape time), and the process's own memory and event loop.
 */
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DegradedModeState } from '@order-platform/stores';
import { DegradedModesService } from '../degraded-modes/degraded-modes.service';
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

  constructor(backlog: BacklogService, degradedModes: DegradedModesService) {
    collectDefaultMetrics({ register: this.registry, prefix: 'order_platform_gateway_' });
    const perStage = (name: string, help: string, pick: (s: StageRow) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['stage'] as const,
        registers: [this.registry],
        async collect() {
          const snapshot = await backlog.snapshot();
          for (const stage of snapshot.stages) this.set({ stage: stage.stage }, pick(stage) ?? 0);
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
          const { modes } = await degradedModes.overview();
          for (const mode of modes) this.set({ mode: mode.name }, pick(mode));
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
