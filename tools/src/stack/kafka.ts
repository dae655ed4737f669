/**
 * A single-node Apache Kafka broker in KRaft combined mode (broker and controller in one JVM)
 * from the Maven Central jars, with a small heap. Storage is formatted once by StorageTool; the
 * platform's topics are created explicitly (auto-creation is off so a typo fails loudly).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaTopicSpec } from '@order-platform/domain';
import { startDetached, stopProcess, waitUntil } from './service-process';

export interface KafkaOptions {
  libsDir: string;
  stateDir: string;
  logFile: string;
  pidFile: string;
  port: number;
  controllerPort: number;
  /** Topics to create if missing, each with its partitions (KAFKA_TOPIC_SPECS in domain/). */
  topics: readonly KafkaTopicSpec[];
  /** The broker's default for topics made by other means (test suites' own topics). */
  partitions: number;
  /** A SASL_SSL listener besides PLAINTEXT (the secure-links suite; the stack runs without). */
  secureListener?: SecureListener;
}

/** TLS with the server's PEM certificate and key, SCRAM-SHA-512 users made at format time. */
export interface SecureListener {
  port: number;
  /** One PEM file: the server's private key (unencrypted PKCS#8) and its certificate. */
  keystorePemFile: string;
  scramUsers: { name: string; password: string }[];
}

const HEAP = ['-Xms128m', '-Xmx512m'];

function serverProperties(opts: KafkaOptions): string {
  const secure = opts.secureListener;
  const secureListener = secure ? `,SASL_SSL://127.0.0.1:${secure.port}` : '';
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${opts.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${opts.port},CONTROLLER://127.0.0.1:${opts.controllerPort}${secureListener}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${opts.port}${secureListener}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${secure ? ',SASL_SSL:SASL_SSL' : ''}`,
    ...(secure
      ? [
          'sasl.enabled.mechanisms=SCRAM-SHA-512',
          'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
          'ssl.keystore.type=PEM',
          `ssl.keystore.location=${secure.keystorePemFile}`,
        ]
      : []),
    `log.dirs=${join(opts.stateDir, 'data')}`,
    `num.partitions=${opts.partitions}`,
    'auto.create.topics.enable=false',
    // One node: internal topics cannot be replicated.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    // Consumers in tests join at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.KafkaServer=INFO',
  'log4j.logger.kafka.server.KafkaRaftServer=INFO',
  '',
].join('\n');

/**
 * A Kafka cluster id: 16 random bytes, base64url without padding, as StorageTool makes them, and
 * like Kafka's own never starting with '-', which a command line would read as an option.
 */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function java(opts: KafkaOptions, extra: string[]): string[] {
  return [
    ...HEAP,
    '-XX:+UseG1GC',
    `-Dlog4j.configuration=file:${join(opts.stateDir, 'log4j.properties')}`,
    `-Dkafka.logs.dir=${join(opts.stateDir, 'logs')}`,
    '-cp',
    join(opts.libsDir, '*'),
    ...extra,
  ];
}

export async function startKafka(opts: KafkaOptions): Promise<void> {
  mkdirSync(opts.stateDir, { recursive: true });
  const config = join(opts.stateDir, 'server.properties');
  writeFileSync(config, serverProperties(opts));
  writeFileSync(join(opts.stateDir, 'log4j.properties'), LOG4J);
  if (!existsSync(join(opts.stateDir, 'data', 'meta.properties'))) {
    execFileSync(
      'java',
      java(opts, [
        'kafka.tools.StorageTool',
        'format',
        `--cluster-id=${newClusterId()}`,
        '-c',
        config,
        // SCRAM credentials live in the cluster metadata: KRaft takes them at format time.
        ...(opts.secureListener?.scramUsers ?? []).flatMap((user) => [
          '--add-scram',
          `SCRAM-SHA-512=[name=${user.name},password=${user.password}]`,
        ]),
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
  }
  const pid = startDetached({
    name: 'kafka',
    command: 'java',
    args: java(opts, ['kafka.Kafka', config]),
    logFile: opts.logFile,
    pidFile: opts.pidFile,
  });
  const kafka = new Kafka({
    clientId: 'stack-runner',
    brokers: [`127.0.0.1:${opts.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  await waitUntil(
    'Kafka',
    async () => {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0;
    },
    { timeoutMs: 90_000, logFile: opts.logFile, pid },
  );
  try {
    const existing = new Set(await admin.listTopics());
    const missing = opts.topics.filter((topic) => !existing.has(topic.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic: topic.name,
          numPartitions: topic.partitions,
          replicationFactor: 1,
        })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

export const stopKafka = (pidFile: string): Promise<void> => stopProcess(pidFile, 30_000);
