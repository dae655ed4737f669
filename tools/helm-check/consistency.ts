/**
 * The last step of tools/toolchain/check-helm.sh: given the objects one render of the chart
 * produced (validated by helm-check, main.go beside this file, as JSON on stdin) and the project
 * compose-check loaded from docker-compose.yml, checks that the chart describes the same stack:
 *  - each app runs the entry point of the local stack (tools/src/stack/apps.ts) on its port;
 *  - every variable the chart sets for an app is one docker-compose.yml sets for the same service
 *    and one docs/configuration.md documents (the same names everywhere);
 *  - the KafkaTopic resources are the domain's topics with their partitions, and each topic can
 *    lose a broker and still take writes (min.insync.replicas below its replicas);
 *  - only the gateway and the facade accept traffic from outside the release, and every app
 *    accepts it from the release's own pods;
 *  - a PodDisruptionBudget leaves room to evict a pod;
 *  - Kafka and PostgreSQL run the versions tools/versions.env pins, and no pre-install hook waits
 *    for a Secret the release creates later.
 * Prints every mismatch and exits 1 if there is any.
 *
 * Usage: helm-check ... | node -r @swc-node/register consistency.ts <render name> <compose.json>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_TOPIC_SPECS } from '@order-platform/domain';
import { PLATFORM_APPS, TS_NODE_ARGS } from '../src/stack/apps';
import { readStackVersions, REPO_ROOT } from '../src/stack/versions';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}
interface Container {
  name: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
}
interface PodSpecHolder {
  template: { metadata?: { labels?: Record<string, string> }; spec: { containers: Container[] } };
  replicas?: number;
}

/** The apps whose port the chart opens beyond the release, and nothing else. */
export const PUBLIC_APPS = ['gateway', 'facade'];
/**
 * Apps whose port serves only their probes and /metrics: a policy of its own (labelled
 * `order-platform/ingress: metrics-scrape`) may open it to the Prometheus of metrics.scrapeFrom,
 * given by namespace or pod selectors, never to addresses or to all.
 */
export const SCRAPED_APPS = ['gateway', 'worker', 'legacy-adapter'];
const SCRAPE_POLICY = 'metrics-scrape';
/** The chart's migrations Job is compose's `migrate` service. */
const COMPOSE_SERVICE: Record<string, string> = { migrate: 'migrate' };

const [renderName = 'render', composeFile] = process.argv.slice(2);
const objects = JSON.parse(readFileSync(0, 'utf8')) as K8sObject[];
const compose = (
  JSON.parse(readFileSync(composeFile ?? '', 'utf8')) as {
    services: Record<string, { environment?: Record<string, string | null> }>;
  }
).services;
const documented = new Set(
  [
    ...readFileSync(join(REPO_ROOT, 'docs/configuration.md'), 'utf8').matchAll(
      /`([A-Z][A-Z0-9_]+)`/g,
    ),
  ].map((m) => m[1]),
);
const problems = new Set<string>();
const component = (o: K8sObject): string =>
  o.metadata.labels?.['app.kubernetes.io/component'] ?? '';

const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');
for (const workload of workloads) {
  const app = component(workload);
  const spec = workload.spec as unknown as PodSpecHolder;
  const service = compose[COMPOSE_SERVICE[app] ?? app];
  if (!service) {
    problems.add(
      `${workload.kind} ${workload.metadata.name}: docker-compose.yml has no service "${app}"`,
    );
    continue;
  }
  for (const container of spec.template.spec.containers) {
    for (const { name } of container.env ?? []) {
      if (!(name in (service.environment ?? {}))) {
        problems.add(`${app} sets ${name}, which docker-compose.yml does not set for "${app}"`);
      }
      if (!documented.has(name)) {
        problems.add(`${app} sets ${name}, which docs/configuration.md does not document`);
      }
    }
  }
  const local = PLATFORM_APPS.find((a) => a.name === app);
  const [container] = spec.template.spec.containers;
  if (local && container) {
    const expected = ['node', ...TS_NODE_ARGS, local.entry].join(' ');
    if (container.command?.join(' ') !== expected) {
      problems.add(`${app} runs "${container.command?.join(' ')}", the local stack "${expected}"`);
    }
    const port = container.env?.find((e) => e.name === local.portVariable)?.value;
    if (
      port !== String(local.defaultPort) ||
      container.ports?.[0]?.containerPort !== local.defaultPort
    ) {
      problems.add(`${app} does not listen on ${local.portVariable}=${local.defaultPort}`);
    }
  }
}

// Topics: exactly the domain's, each writable with a broker down.
const topics = objects.filter((o) => o.kind === 'KafkaTopic');
const kafka = objects.find((o) => o.kind === 'Kafka');
if (kafka) {
  const rendered = topics.map((t) => `${String(t.spec?.topicName)}:${String(t.spec?.partitions)}`);
  const expected = KAFKA_TOPIC_SPECS.map((t) => `${t.name}:${t.partitions}`);
  if (rendered.sort().join(' ') !== [...expected].sort().join(' ')) {
    problems.add(
      `KafkaTopics ${rendered.join(' ')} are not domain/src/kafka-topics.ts's ${expected.join(' ')}`,
    );
  }
  for (const topic of topics) {
    const replicas = Number(topic.spec?.replicas);
    const minInsync = Number(
      (topic.spec?.config as Record<string, unknown>)['min.insync.replicas'],
    );
    if (replicas > 1 && !(minInsync < replicas)) {
      problems.add(
        `KafkaTopic ${topic.metadata.name}: min.insync.replicas ${minInsync} leaves no broker to lose of ${replicas}`,
      );
    }
  }
} else if (topics.length > 0) {
  problems.add('KafkaTopics rendered without the Kafka cluster they belong to');
}

// Network: a policy per app; an ingress rule open to all only on the public apps.
const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
if (policies.length > 0) {
  for (const deployment of workloads.filter((w) => w.kind === 'Deployment')) {
    const app = component(deployment);
    const selecting = policies.filter(
      (p) =>
        (p.spec?.podSelector as { matchLabels?: Record<string, string> }).matchLabels?.[
          'app.kubernetes.io/component'
        ] === app,
    );
    const policy = selecting.find(
      (p) => p.metadata.labels?.['order-platform/ingress'] !== SCRAPE_POLICY,
    );
    for (const scrape of selecting.filter((p) => p !== policy)) {
      const scrapeRules = (scrape.spec?.ingress ?? []) as {
        from?: Record<string, unknown>[];
        ports?: { port?: unknown }[];
      }[];
      const selectorsOnly = scrapeRules.every(
        (rule) =>
          (rule.from?.length ?? 0) > 0 &&
          rule.from!.every((source) =>
            Object.keys(source).every((key) => ['podSelector', 'namespaceSelector'].includes(key)),
          ) &&
          rule.ports?.length === 1 &&
          rule.ports[0]!.port === 'http',
      );
      if (!SCRAPED_APPS.includes(app) || !selectorsOnly) {
        problems.add(
          `NetworkPolicy ${scrape.metadata.name} opens ${app} to more than a Prometheus by selector on its http port`,
        );
      }
    }
    if (!policy) {
      problems.add(`no NetworkPolicy selects ${app}`);
      continue;
    }
    // A rule admits only the release's pods when each source is a pod selector of this
    // namespace; no source, a namespace selector or an address block reaches beyond it.
    const rules = (policy.spec?.ingress ?? []) as { from?: Record<string, unknown>[] }[];
    const beyondRelease = rules.some(
      (rule) =>
        !rule.from ||
        rule.from.length === 0 ||
        rule.from.some((source) => Object.keys(source).some((key) => key !== 'podSelector')),
    );
    if (beyondRelease && !PUBLIC_APPS.includes(app)) {
      problems.add(`NetworkPolicy ${policy.metadata.name} opens ${app} beyond the release`);
    }
    // The apps call each other (the facade the gateway, the simulators its webhook).
    const admitsRelease = rules.some(
      (rule) =>
        !rule.from ||
        rule.from.length === 0 ||
        rule.from.some(
          (source) =>
            Object.keys(source).length === 1 &&
            (source.podSelector as { matchLabels?: Record<string, string> } | undefined)
              ?.matchLabels?.['app.kubernetes.io/instance'] ===
              deployment.metadata.labels?.['app.kubernetes.io/instance'],
        ),
    );
    if (!admitsRelease) {
      problems.add(
        `NetworkPolicy ${policy.metadata.name} keeps the release's own pods from ${app}`,
      );
    }
  }
}

// The operators run the versions the local stack pins (tools/versions.env).
const versions = readStackVersions();
const kafkaVersion = (kafka?.spec?.kafka as { version?: string } | undefined)?.version;
if (kafka && kafkaVersion !== versions.KAFKA_VERSION) {
  problems.add(`Kafka runs ${kafkaVersion}, tools/versions.env pins ${versions.KAFKA_VERSION}`);
}
for (const cluster of objects.filter((o) => o.kind === 'Cluster')) {
  const image = String(cluster.spec?.imageName ?? '');
  if (image.slice(image.lastIndexOf(':') + 1).split('.')[0] !== versions.POSTGRES_MAJOR) {
    problems.add(
      `Cluster ${cluster.metadata.name} runs ${image}, tools/versions.env pins PostgreSQL ${versions.POSTGRES_MAJOR}`,
    );
  }
}

// A pre-install hook runs before any other object of the release exists: one that reads the
// Secret CloudNativePG makes for a Cluster of the same release waits for it until it fails.
for (const cluster of objects.filter((o) => o.kind === 'Cluster')) {
  const appSecret = `${cluster.metadata.name}-app`;
  for (const job of workloads.filter((w) => w.kind === 'Job')) {
    const annotations = (job.metadata as { annotations?: Record<string, string> }).annotations;
    const hooks = (annotations?.['helm.sh/hook'] ?? '').split(',');
    const reads = JSON.stringify(job.spec).includes(`"name":"${appSecret}"`);
    if (hooks.includes('pre-install') && reads) {
      problems.add(
        `Job ${job.metadata.name} runs pre-install but reads Secret ${appSecret}, which Cluster ${cluster.metadata.name} of the same release creates later (migrations.installHook: post-install)`,
      );
    }
  }
}

// A budget that allows no eviction blocks every node drain.
for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
  const app = component(pdb);
  const deployment = workloads.find((w) => w.kind === 'Deployment' && component(w) === app);
  const hpa = objects.find(
    (o) =>
      (o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject') && component(o) === app,
  );
  const floor = hpa
    ? Number(hpa.spec?.minReplicas ?? hpa.spec?.minReplicaCount)
    : Number((deployment?.spec as unknown as PodSpecHolder | undefined)?.replicas);
  const minAvailable = pdb.spec?.minAvailable;
  if (typeof minAvailable === 'number' && !(minAvailable < floor)) {
    problems.add(
      `PodDisruptionBudget ${pdb.metadata.name}: minAvailable ${minAvailable} with at least ${floor} replicas blocks every eviction`,
    );
  }
}

if (problems.size > 0) {
  process.stderr.write(
    `the chart (${renderName} values) does not match the local stack:\n${[...problems].map((p) => `  - ${p}`).join('\n')}\n`,
  );
  process.exit(1);
}
process.stderr.write(
  `[helm-check] ${renderName}: ${objects.length} objects consistent with the local stack and docker-compose.yml\n`,
);
