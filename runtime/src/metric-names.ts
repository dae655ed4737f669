/**
 * Every metric the alert rules (tools/compose/prometheus-alerts.yml) and the Grafana dashboard
 * may use, in one place, with the processes that serve it. tools/src/lint/grafana-dashboard.spec.ts
 * checks that the rules and the dashboard use no other name and that each platform name here is
 * defined in the code; tools/src/stack/apps.int-spec.ts checks that the worker really serves the
 * Temporal SDK's.
 *
 * `shared`: a gauge every instance reads from the shared database, so each gateway reports the same
 * value: aggregate it across instances with max (or min, avg), never sum. The rest is each
 * process's own count and is summed.
 */
export type MetricsProcess = 'gateway' | 'worker' | 'legacy-adapter';

export interface ExportedMetric {
  processes: readonly MetricsProcess[];
  shared?: true;
}

const gateway = { processes: ['gateway'] } as const;
const sharedGauge = { processes: ['gateway'], shared: true } as const;
const adapter = { processes: ['legacy-adapter'] } as const;
const worker = { processes: ['worker'] } as const;

/** The platform's own metrics (`order_platform_*`). */
export const PLATFORM_METRICS: Record<string, ExportedMetric> = {
  // gateway: apps/gateway/src/metrics/gateway-metrics.ts
  order_platform_gateway_http_request_duration_seconds: gateway,
  order_platform_gateway_orders_admitted_total: gateway,
  order_platform_gateway_orders_shed_total: gateway,
  order_platform_gateway_admission_pending_orders: sharedGauge,
  order_platform_gateway_admission_drain_per_second: sharedGauge,
  order_platform_gateway_status_read_cache_serving: gateway,
  order_platform_gateway_status_read_cache_orders: gateway,
  order_platform_gateway_notification_queue_usage: gateway,
  order_platform_orders_in_stage: sharedGauge,
  order_platform_orders_overdue: sharedGauge,
  order_platform_stage_oldest_age_seconds: sharedGauge,
  order_platform_degraded_mode_active: sharedGauge,
  order_platform_fraud_backlog_waiting: sharedGauge,
  order_platform_fraud_backlog_overdue: sharedGauge,
  order_platform_operator_tasks_open: sharedGauge,
  order_platform_dead_letters_parked: sharedGauge,
  // every process with a readiness probe: runtime/src/health.ts
  order_platform_health_check: { processes: ['gateway', 'worker', 'legacy-adapter'] },
  // worker: apps/worker/src/metrics.ts
  order_platform_worker_circuit_open: worker,
  // legacy adapter: runtime/src/consumer/metrics.ts, legacy-adapter/src/
  order_platform_consumer_processed_total: adapter,
  order_platform_consumer_retries_total: adapter,
  order_platform_consumer_lag: adapter,
  order_platform_consumer_oldest_unprocessed_age_seconds: adapter,
  order_platform_consumer_paused: adapter,
  order_platform_consumer_dependency_waiting_seconds: adapter,
  order_platform_comparator_verdicts_total: adapter,
  order_platform_mirror_leader: adapter,
  order_platform_mirror_leader_elections_total: adapter,
  order_platform_mirror_slot_lag_bytes: adapter,
  order_platform_mirror_slot_retained_wal_bytes: adapter,
  order_platform_mirror_slot_age_seconds: adapter,
  order_platform_mirror_slot_confirmed_lsn_bytes: adapter,
  order_platform_mirror_slot_active: adapter,
  order_platform_mirror_slot_safe_wal_bytes: adapter,
  order_platform_mirror_slot_lag_warn_bytes: adapter,
  order_platform_mirror_slot_age_warn_seconds: adapter,
};

/**
 * The Temporal SDK's metrics the worker serves (apps/worker/src/metrics.ts) that the rules and
 * the dashboard use: task latencies (histograms, in seconds), slots, the sticky cache, polls.
 */
export const TEMPORAL_SDK_METRICS: Record<string, ExportedMetric> = {
  temporal_workflow_task_schedule_to_start_latency: worker,
  temporal_workflow_task_execution_latency: worker,
  temporal_activity_schedule_to_start_latency: worker,
  temporal_activity_execution_latency: worker,
  temporal_worker_task_slots_available: worker,
  temporal_worker_task_slots_used: worker,
  temporal_sticky_cache_size: worker,
  temporal_sticky_cache_hit: worker,
  temporal_num_pollers: worker,
  temporal_workflow_task_queue_poll_succeed: worker,
};

export const EXPORTED_METRICS: Record<string, ExportedMetric> = {
  ...PLATFORM_METRICS,
  ...TEMPORAL_SDK_METRICS,
};
