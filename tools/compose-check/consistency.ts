/**
 * The second half of tools/toolchain/check-compose.sh: given the project that compose-check
 * (main.go beside this file) loaded and validated, as JSON on stdin, checks that docker-compose.yml
 * describes the local stack of `npm start`. Every expectation is read from where the local stack
 * defines it (versions.env, domain/, tools/src/stack/), never restated here. Prints every
 * mismatch and exits 1 if there is any.
 *
 * Usage: compose-check docker-compose.yml | node -r @swc-node/register consistency.ts docker-compose.yml
 * (the file name is for the messages only).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_TOPIC_SPECS, ORDER_SEARCH_ATTRIBUTES } from '@order-platform/domain';
import { PLATFORM_APPS, TS_NODE_ARGS } from '../src/stack/apps';
import { DEFAULT_JAEGER_PORTS } from '../src/stack/jaeger';
import { STACK_DATABASES } from '../src/stack/postgres';
import { DEFAULT_PORTS, stackEnv } from '../src/stack/stack';
import { readStackVersions, REPO_ROOT } from '../src/stack/versions';

/** The parts of compose-go's normalized project this check reads. */
interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | null;
  environment?: Record<string, string | null>;
  ports?: { published?: string; target: number }[];
  volumes?: { type: string; source?: string; target: string }[];
}

const file = process.argv[2] ?? 'docker-compose.yml';
const services = (
  JSON.parse(readFileSync(0, 'utf8')) as { services: Record<string, ComposeService> }
).services;
const problems = new Set<string>();

function service(name: string): ComposeService {
  const found = services[name];
  if (!found) problems.add(`no service "${name}"`);
  return found ?? {};
}

const words = (value: string | null | undefined): string[] =>
  (value ?? '').split(/\s+/).filter(Boolean);

function sameSet(
  what: string,
  actual: string[],
  expected: readonly string[],
  source: string,
): void {
  const missing = expected.filter((x) => !actual.includes(x));
  const extra = actual.filter((x) => !expected.includes(x));
  if (missing.length > 0) {
    problems.add(`${what} lacks ${missing.join(', ')} (listed in ${source})`);
  }
  if (extra.length > 0) {
    problems.add(`${what} has ${extra.join(', ')}, which ${source} does not list`);
  }
}

function publishes(name: string, port: number, what: string): void {
  const published = (service(name).ports ?? []).map((p) => Number(p.published));
  if (!published.includes(port)) {
    problems.add(
      `service "${name}" does not publish ${what} on host port ${port}, as the local stack does`,
    );
  }
}

/**
 * The local stack gives every app every variable of StackEnv; a database URL must name the same
 * role, password and database (only the host differs: `postgres` instead of 127.0.0.1).
 */
const localEnv = stackEnv(DEFAULT_PORTS, {
  jwt: 'generated-per-stack',
  fulfillmentWebhook: 'generated-per-stack',
  payloadCodecKeys: 'generated-per-stack',
});
function hasStackEnv(name: string, variables: string[]): void {
  const environment = service(name).environment ?? {};
  for (const variable of variables) {
    const value = environment[variable];
    const local = localEnv[variable as keyof typeof localEnv];
    if (!value) {
      problems.add(`service "${name}" lacks ${variable}, which the local stack sets`);
    } else if (local.startsWith('postgres') && !sameDatabase(value, local)) {
      problems.add(`service "${name}": ${variable}=${value} names another database than ${local}`);
    }
  }
}

function sameDatabase(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    return x.username === y.username && x.password === y.password && x.pathname === y.pathname;
  } catch {
    return false;
  }
}

// Versions: the pinned ones of tools/versions.env, and a pinned tag for every pulled image.
const versions = readStackVersions();
for (const [name, s] of Object.entries(services)) {
  if (s.build || !s.image) continue;
  const colon = s.image.lastIndexOf(':');
  const [repository, tag] =
    colon < 0 ? [s.image, ''] : [s.image.slice(0, colon), s.image.slice(colon + 1)];
  if (!/^v?\d+\.\d+/.test(tag)) {
    problems.add(`service "${name}": image ${s.image} is not pinned to a version`);
  }
  if (repository === 'apache/kafka' && tag !== versions.KAFKA_VERSION) {
    problems.add(
      `service "${name}": ${s.image}, but tools/versions.env pins Kafka ${versions.KAFKA_VERSION}`,
    );
  }
  if (repository === 'jaegertracing/jaeger' && tag !== versions.JAEGER_IMAGE_VERSION) {
    problems.add(
      `service "${name}": ${s.image}, but tools/versions.env pins Jaeger's image ${versions.JAEGER_IMAGE_VERSION}`,
    );
  }
  if (repository === 'prom/prometheus' && tag !== versions.PROMETHEUS_IMAGE_VERSION) {
    problems.add(
      `service "${name}": ${s.image}, but tools/versions.env pins Prometheus's image ${versions.PROMETHEUS_IMAGE_VERSION}`,
    );
  }
  // Compose runs the Temporal server and UI that `npm start -- --temporal server` builds.
  const temporalServer =
    (repository === 'temporalio/server' && tag !== versions.TEMPORAL_SERVER_VERSION) ||
    (repository === 'temporalio/admin-tools' &&
      !tag.startsWith(`${versions.TEMPORAL_SERVER_VERSION}-`));
  if (temporalServer) {
    problems.add(
      `service "${name}": ${s.image}, but tools/versions.env pins the Temporal server ${versions.TEMPORAL_SERVER_VERSION}`,
    );
  }
  if (repository === 'temporalio/ui' && tag !== versions.TEMPORAL_UI_VERSION) {
    problems.add(
      `service "${name}": ${s.image}, but tools/versions.env pins the Temporal UI ${versions.TEMPORAL_UI_VERSION}`,
    );
  }
  if (repository === 'postgres' && tag.split('.')[0] !== versions.POSTGRES_MAJOR) {
    problems.add(
      `service "${name}": ${s.image}, but tools/versions.env pins PostgreSQL ${versions.POSTGRES_MAJOR}`,
    );
  }
}

// The image the platform's processes run in: Node of the major tools/versions.env pins.
const dockerfile = join(REPO_ROOT, 'Dockerfile');
const nodeImage = /^ARG NODE_IMAGE=node:(\d+)\.\d+\.\d+-/m.exec(readFileSync(dockerfile, 'utf8'));
const nodeMajor = versions.NODE_VERSION.split('.')[0];
if (nodeImage?.[1] !== nodeMajor) {
  problems.add(
    `${dockerfile}: NODE_IMAGE is not a pinned node:${nodeMajor}.x.y image (NODE_VERSION)`,
  );
}

// The platform's processes: same entry points, ports and variable names as tools/src/stack/apps.ts.
for (const app of PLATFORM_APPS) {
  const command = service(app.name).command ?? [];
  const expected = ['node', ...TS_NODE_ARGS, app.entry];
  if (command.join(' ') !== expected.join(' ')) {
    problems.add(
      `service "${app.name}" runs "${command.join(' ')}", the local stack "${expected.join(' ')}"`,
    );
  }
  if (service(app.name).environment?.[app.portVariable] !== String(app.defaultPort)) {
    problems.add(`service "${app.name}" does not set ${app.portVariable}=${app.defaultPort}`);
  }
  publishes(app.name, app.defaultPort, app.name);
  hasStackEnv(app.name, Object.keys(localEnv));
}
hasStackEnv('migrate', ['DATABASE_URL']);

// The databases, roles and passwords the local stack creates (tools/src/stack/postgres.ts).
const initScript = (service('postgres').volumes ?? []).find((v) =>
  v.target.startsWith('/docker-entrypoint-initdb.d/'),
)?.source;
const initSql = initScript ? readFileSync(initScript, 'utf8') : '';
if (!initScript) problems.add('service "postgres" mounts no script in /docker-entrypoint-initdb.d');
for (const db of STACK_DATABASES) {
  const statements = [
    `CREATE ROLE ${db.owner} LOGIN REPLICATION PASSWORD '${db.password}';`,
    `CREATE DATABASE ${db.name} OWNER ${db.owner};`,
  ];
  for (const statement of statements.filter((st) => !initSql.includes(st))) {
    problems.add(`${initScript ?? 'the init script'} lacks \`${statement}\``);
  }
}

// Infrastructure on the local stack's host ports (tools/src/stack/stack.ts, DEFAULT_PORTS).
publishes('postgres', DEFAULT_PORTS.postgres, 'PostgreSQL');
publishes('kafka', DEFAULT_PORTS.kafka, 'Kafka');
publishes('temporal', DEFAULT_PORTS.temporal, 'Temporal');
publishes('temporal-ui', DEFAULT_PORTS.temporalUi, 'the Temporal UI');
publishes('jaeger', DEFAULT_JAEGER_PORTS.query, "Jaeger's UI");

// What the setup services create: the lists of domain/.
sameSet(
  'kafka-setup TOPICS',
  words(service('kafka-setup').environment?.TOPICS),
  KAFKA_TOPIC_SPECS.map((topic) => `${topic.name}:${topic.partitions}`),
  'domain/src/kafka-topics.ts',
);
sameSet(
  'temporal-setup SEARCH_ATTRIBUTES',
  words(service('temporal-setup').environment?.SEARCH_ATTRIBUTES),
  Object.entries(ORDER_SEARCH_ATTRIBUTES).map(([name, kind]) => `${name}=${kind}`),
  'domain/src/search-attributes.ts',
);

if (problems.size > 0) {
  process.stderr.write(
    `${file} does not match the local stack:\n${[...problems].map((p) => `  - ${p}`).join('\n')}\n`,
  );
  process.exit(1);
}
