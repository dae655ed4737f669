import { readFileSync } from 'node:fs';
import { KAFKA_TOPIC_SPECS, kafkaTopicsFile } from '@order-platform/domain';
import { CHART_TOPICS_FILE } from './kafka-topics-file';

describe("the Helm chart's topic list", () => {
  it('is the domain list of topics and partitions, byte for byte', () => {
    // On a mismatch: node -r @swc-node/register tools/helm-check/kafka-topics-file.ts
    expect(readFileSync(CHART_TOPICS_FILE, 'utf8')).toBe(kafkaTopicsFile());
  });

  it('lists every topic with its dead-letter topic and a partition count', () => {
    const { topics } = JSON.parse(readFileSync(CHART_TOPICS_FILE, 'utf8')) as {
      topics: { name: string; partitions: number }[];
    };
    expect(topics.map((t) => t.name)).toEqual(KAFKA_TOPIC_SPECS.map((t) => t.name));
    for (const topic of topics.filter((t) => !t.name.endsWith('.dlq'))) {
      expect(topics.map((t) => t.name)).toContain(`${topic.name}.dlq`);
    }
    expect(topics.every((t) => Number.isInteger(t.partitions) && t.partitions > 0)).toBe(true);
  });
});
