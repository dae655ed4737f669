/**
 * The Grafana dashboard and the Prometheus alert rules that docker-compose.yml provisions use
 * only metrics the platform exports (runtime/src/metric-names.ts, each platform name defined in
 * the code), read them from the provisioned datasource by its uid, stay right with several
 * gateways (what every gateway reads from the shared database is never summed), and Prometheus
 * scrapes every process that serves them, on its port: a renamed metric, a moved port or a
 * per-instance assumption breaks this test, not a chart or an alert someone relies on during an
 * incident. The rules' syntax is checked by promtool in check-compose.sh.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EXPORTED_METRICS, PLATFORM_METRICS } from '@order-platform/runtime';
import { PLATFORM_APPS } from '../stack/apps';
import { REPO_ROOT } from '../stack/versions';

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

interface Datasource {
  type: string;
  uid: string;
}
const dashboard = JSON.parse(read('tools/compose/grafana/dashboards/order-platform.json')) as {
  panels: {
    title: string;
    datasource?: Datasource;
    targets: { expr: string; datasource?: Datasource }[];
  }[];
};
const rules = parse(read('tools/compose/prometheus-alerts.yml')) as {
  groups: { name: string; rules: { alert: string; expr: string; for?: string }[] }[];
};
const alerts = rules.groups.flatMap((group) => group.rules);
const prometheus = parse(read('tools/compose/prometheus.yml')) as {
  rule_files: string[];
  scrape_configs: {
    job_name: string;
    dns_sd_configs?: { names: string[]; port: number }[];
    static_configs?: { targets: string[] }[];
  }[];
};
const datasources = parse(
  read('tools/compose/grafana/provisioning/datasources/prometheus.yml'),
) as {
  datasources: { uid: string; type: string }[];
};

const expressions = [
  ...dashboard.panels.flatMap((panel) =>
    panel.targets.map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })),
  ),
  ...alerts.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
];

/** The metric names an expression reads (histograms by their base name). */
const metricsIn = (expr: string): string[] =>
  (expr.match(/\b(order_platform|temporal)_[a-z_]+/g) ?? []).map((name) =>
    EXPORTED_METRICS[name] ? name : name.replace(/_(bucket|sum|count)$/, ''),
  );

/** Every TypeScript source outside tests, as one text to search for metric names. */
const sources = execFileSync('git', ['ls-files', '*.ts'], { cwd: REPO_ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file && !/\.(int-)?spec\.ts$/.test(file))
  .map((file) => readFileSync(join(REPO_ROOT, file), 'utf8'))
  .join('\n');

describe('the Grafana dashboard and Prometheus configuration of docker-compose.yml', () => {
  it('lists only platform metrics the code defines', () => {
    expect(Object.keys(PLATFORM_METRICS).filter((name) => !sources.includes(`'${name}'`))).toEqual(
      [],
    );
  });

  it('charts and alerts only on metrics the platform exports', () => {
    const used = expressions.flatMap(({ where, expr }) =>
      metricsIn(expr).map((metric) => ({ where, metric })),
    );
    expect(new Set(used.map((u) => u.metric)).size).toBeGreaterThan(20);
    expect(used.filter(({ metric }) => !EXPORTED_METRICS[metric])).toEqual([]);
  });

  it('reads every panel from the provisioned datasource, by its uid', () => {
    const [provisioned] = datasources.datasources;
    expect(provisioned).toBeDefined();
    for (const panel of dashboard.panels) {
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
        panel: panel.title,
        datasource: { type: provisioned!.type, uid: provisioned!.uid },
      });
      for (const target of panel.targets) {
        expect(target.datasource ?? panel.datasource).toEqual(panel.datasource);
      }
    }
  });

  it('never sums what every gateway reads from the shared database (right with several gateways)', () => {
    const shared = Object.keys(EXPORTED_METRICS).filter((name) => EXPORTED_METRICS[name]!.shared);
    const summed = expressions.flatMap(({ where, expr }) =>
      shared.filter((metric) => summedIn(expr, metric)).map((metric) => `${where}: ${metric}`),
    );
    expect(summed).toEqual([]);
    // The check itself: it catches the per-instance assumption it is there for.
    expect(
      summedIn('sum by (stage) (order_platform_orders_in_stage)', 'order_platform_orders_in_stage'),
    ).toBe(true);
    expect(
      summedIn('clamp_min(sum(order_platform_orders_overdue), 1)', 'order_platform_orders_overdue'),
    ).toBe(true);
    expect(
      summedIn('max by (stage) (order_platform_orders_in_stage)', 'order_platform_orders_in_stage'),
    ).toBe(false);
    // A metric read bare (no aggregation) would chart one line per gateway: aggregate it.
    expect(expressions.filter(({ expr }) => shared.some((metric) => bareIn(expr, metric)))).toEqual(
      [],
    );
  });

  it('has the alerts operators rely on, each on the metric it is about', () => {
    const about: Record<string, string> = {
      StageOverdueShareHigh: 'order_platform_orders_overdue',
      DegradedModeOn: 'order_platform_degraded_mode_active',
      ConsumerLagHigh: 'order_platform_consumer_lag',
      ConsumerOldestMessageOld: 'order_platform_consumer_oldest_unprocessed_age_seconds',
      CompensationFailed: 'order_platform_operator_tasks_open',
      DeadLettersGrowing: 'order_platform_consumer_processed_total',
      DependencyDown: 'order_platform_health_check',
      MirrorSlotLagging: 'order_platform_mirror_slot_lag_bytes',
      NotificationQueueFilling: 'order_platform_gateway_notification_queue_usage',
    };
    for (const [alert, metric] of Object.entries(about)) {
      const rule = alerts.find((candidate) => candidate.alert === alert);
      expect({ alert, uses: rule && metricsIn(rule.expr).includes(metric) }).toEqual({
        alert,
        uses: true,
      });
    }
  });

  it('loads the rules file in compose and scrapes every process that serves a metric used, on its port', () => {
    expect(prometheus.rule_files).toContain('/etc/prometheus/alerts.yml');
    expect(read('docker-compose.yml')).toContain(
      './tools/compose/prometheus-alerts.yml:/etc/prometheus/alerts.yml',
    );
    const processes = new Set(
      expressions.flatMap(({ expr }) =>
        metricsIn(expr).flatMap((metric) => EXPORTED_METRICS[metric]?.processes ?? []),
      ),
    );
    expect([...processes].sort()).toEqual(['gateway', 'legacy-adapter', 'worker']);
    for (const name of processes) {
      const app = PLATFORM_APPS.find((candidate) => candidate.name === name)!;
      const job = prometheus.scrape_configs.find((config) => config.job_name === name);
      // Every replica of the service (Docker DNS), not one address: several gateways, workers.
      expect(job?.dns_sd_configs).toEqual([{ names: [name], type: 'A', port: app.defaultPort }]);
    }
  });
});

/** The index of the "(" that opens the innermost call around position `at`. */
function enclosingParen(expr: string, at: number): number {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    if (expr[i] === ')') depth++;
    else if (expr[i] === '(') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** Whether `metric` is read inside `sum(...)` / `sum by (...) (...)` with nothing between. */
function summedIn(expr: string, metric: string): boolean {
  for (const match of expr.matchAll(new RegExp(`\\b${metric}\\b`, 'g'))) {
    const open = enclosingParen(expr, match.index);
    if (open >= 0 && /\bsum\s*(\b(by|without)\s*\([^)]*\)\s*)?$/.test(expr.slice(0, open)))
      return true;
  }
  return false;
}

/** Whether `metric` is read with no aggregation around it at all. */
function bareIn(expr: string, metric: string): boolean {
  for (const match of expr.matchAll(new RegExp(`\\b${metric}\\b`, 'g'))) {
    if (!/\b(max|min|avg|sum|count|quantile)\b/.test(expr.slice(0, match.index))) return true;
  }
  return false;
}
