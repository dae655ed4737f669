/**
 * The pinned stack versions, read from tools/versions.env so shell scripts, this runner and the
 * compose check share one list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const TOOLS_DIR = join(REPO_ROOT, 'tools');

export interface StackVersions {
  TEMPORAL_CLI_VERSION: string;
  TEMPORAL_TEST_SERVER_VERSION: string;
  /** The server and UI the CLI embeds, built for `--temporal server` and run by compose. */
  TEMPORAL_SERVER_VERSION: string;
  TEMPORAL_UI_VERSION: string;
  KAFKA_VERSION: string;
  KAFKA_SCALA_VERSION: string;
  SLF4J_VERSION: string;
  POSTGRES_MAJOR: string;
  /** The Node.js fetched for machines with an older one; the Dockerfile's image has its major. */
  NODE_VERSION: string;
  /** Jaeger's Go module version (npm start builds it) and the same release's image (compose). */
  JAEGER_VERSION: string;
  JAEGER_IMAGE_VERSION: string;
  /** The Prometheus image compose runs, and the Debian package promtool comes from (check-compose.sh). */
  PROMETHEUS_IMAGE_VERSION: string;
  PROMTOOL_DEBIAN_VERSION: string;
}

export function readStackVersions(file = join(TOOLS_DIR, 'versions.env')): StackVersions {
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split('=', 2) as [string, string]);
  const values = Object.fromEntries(entries);
  const required: (keyof StackVersions)[] = [
    'TEMPORAL_CLI_VERSION',
    'TEMPORAL_TEST_SERVER_VERSION',
    'TEMPORAL_SERVER_VERSION',
    'TEMPORAL_UI_VERSION',
    'KAFKA_VERSION',
    'KAFKA_SCALA_VERSION',
    'SLF4J_VERSION',
    'POSTGRES_MAJOR',
    'NODE_VERSION',
    'JAEGER_VERSION',
    'JAEGER_IMAGE_VERSION',
    'PROMETHEUS_IMAGE_VERSION',
    'PROMTOOL_DEBIAN_VERSION',
  ];
  for (const key of required) {
    if (!values[key]) throw new Error(`${file} does not pin ${key}`);
  }
  return values as unknown as StackVersions;
}
