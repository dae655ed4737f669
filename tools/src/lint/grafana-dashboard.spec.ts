/**
 * The Grafana dashboard that docker-compose.yml provisions charts only metrics the platform
 * exports, and Prometheus scrapes the processes where they are: a renamed metric or a moved
 * port breaks this test, not a chart someone looks at during an incident.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORM_APPS } from '../stack/apps';
import { REPO_ROOT } from '../stack/versions';

const dashboard = JSON.parse(
  readFileSync(join(REPO_ROOT, 'tools/compose/grafana/dashboards/order-platform.json'), 'utf8'),
) as { panels: { title: string; targets: { expr: string }[] }[] };

/** Every TypeScript source outside tests, as one text to search for metric names. */
const sources = execFileSync('git', ['ls-files', '*.ts'], { cwd: REPO_ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file && !/\.(int-)?spec\.ts$/.test(file))
  .map((file) => readFileSync(join(REPO_ROOT, file), 'utf8'))
  .join('\n');

describe('the Grafana dashboard and Prometheus configuration of docker-compose.yml', () => {
  it('charts only metrics the platform defines', () => {
    const charted = new Set(
      dashboard.panels.flatMap((panel) =>
        panel.targets.flatMap((target) => target.expr.match(/order_platform_[a-z_]+/g) ?? []),
      ),
    );
    expect(charted.size).toBeGreaterThan(5);
    // Histograms are defined by their base name and scraped as _bucket, _sum and _count.
    const undefinedMetrics = [...charted]
      .map((name) => name.replace(/_(bucket|sum|count)$/, ''))
      .filter((name) => !sources.includes(`'${name}'`));
    expect(undefinedMetrics).toEqual([]);
  });

  it('alerts only on metrics the platform defines, with the rules file loaded by compose', () => {
    const rules = readFileSync(join(REPO_ROOT, 'tools/compose/prometheus-alerts.yml'), 'utf8');
    const alerted = new Set(rules.match(/order_platform_[a-z_]+/g) ?? []);
    expect(alerted.size).toBeGreaterThan(3);
    expect([...alerted].filter((name) => !sources.includes(`'${name}'`))).toEqual([]);
    const prometheus = readFileSync(join(REPO_ROOT, 'tools/compose/prometheus.yml'), 'utf8');
    const compose = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    expect(prometheus).toContain('/etc/prometheus/alerts.yml');
    expect(compose).toContain('./tools/compose/prometheus-alerts.yml:/etc/prometheus/alerts.yml');
  });

  it('scrapes the processes that serve /metrics, on their ports', () => {
    const prometheus = readFileSync(join(REPO_ROOT, 'tools/compose/prometheus.yml'), 'utf8');
    for (const name of ['gateway', 'legacy-adapter']) {
      const app = PLATFORM_APPS.find((candidate) => candidate.name === name)!;
      expect(prometheus).toContain(`'${name}:${app.defaultPort}'`);
    }
  });
});
