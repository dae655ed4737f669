/**
 * The Helm chart reads the platform's topics from a file inside the chart (Helm's .Files reach no
 * further): deploy/helm/order-platform/files/kafka-topics.json, a copy of KAFKA_TOPIC_SPECS that
 * kafka-topics-file.spec.ts keeps equal. `node -r @swc-node/register tools/helm-check/kafka-topics-file.ts`
 * rewrites it after a change to domain/src/kafka-topics.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaTopicsFile } from '@order-platform/domain';
import { REPO_ROOT } from '../src/stack/versions';

export const CHART_TOPICS_FILE = join(
  REPO_ROOT,
  'deploy/helm/order-platform/files/kafka-topics.json',
);

if (require.main === module) {
  writeFileSync(CHART_TOPICS_FILE, kafkaTopicsFile());
  process.stdout.write(`wrote ${CHART_TOPICS_FILE}\n`);
}
