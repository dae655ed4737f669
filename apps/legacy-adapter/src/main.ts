/**
 * The legacy adapter process: the mirror (the monolith's changes -> `legacy.order-events.v1`),
 * from its transaction log (MIRROR_SOURCE=cdc) or its outbox (outbox), the signal bridge (each
 * fact to the workflow that follows its order) and the comparator (what the monolith decided vs
 * what the workflows decided, per stage), the dead-letter indexer (every `.dlq` topic into
 * `dead_letter`, for operators to list and replay), and with HANDOVER_SYNC=on the monolith's
 * hand-over settings kept to the platform's routes. Ready when both databases,
 * Kafka and Temporal answer and the mirror runs, or stands by once its election has answered
 * (with CDC, only once the slot exists): of several adapters on one slot (or outbox) the elected
 * leader mirrors and the others wait to take over (leader-election.ts);
 * the bridge, comparator and indexer run in every adapter as members of their consumer groups.
 * Prometheus metrics on /metrics.
 */
import { hostname } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import {
  CdcSource,
  Comparator,
  DeadLetterIndexer,
  HandoverSync,
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  LeaderElection,
  loadMapping,
  MirrorPublisher,
  monolithHandoverTarget,
  OutboxSource,
  replicationSlotExists,
  SignalBridge,
  SIGNAL_BRIDGE_NAME,
  SlotWatch,
} from '@order-platform/legacy-adapter';
import {
  createIdempotentProducer,
  createKafka,
  createLogger,
  type HealthCheck,
  HealthProblem,
  type Logger,
  kafkaCheck,
  onShutdown,
  postgresCheck,
  ReadinessProbe,
  runMain,
  tracingClientInterceptors,
  startHealthServer,
  temporalCheck,
  temporalConnectionOptions,
} from '@order-platform/runtime';
import { createPgPool, readStageRoutes } from '@order-platform/stores';
import { TOPICS, deadLetterTopic } from '@order-platform/domain';
import { loadLegacyAdapterConfig } from './config';

/**
 * The message limit of the mirror's topics as the broker has it (`max.message.bytes`, the topic's
 * own or the broker's `message.max.bytes`), the smaller of the topic and its dead-letter topic;
 * Kafka's default when the broker cannot be asked.
 */
async function brokerMessageLimit(kafka: Kafka, logger: Logger): Promise<number> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [TOPICS.legacyOrderEvents, deadLetterTopic(TOPICS.legacyOrderEvents)].map(
        (name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['max.message.bytes'] }),
      ),
    });
    const limits = resources
      .flatMap((r) => r.configEntries)
      .map((entry) => Number(entry.configValue))
      .filter((n) => Number.isInteger(n) && n > 0);
    if (limits.length > 0) return Math.min(...limits);
  } catch (error) {
    logger.warn("broker message limit not read; using Kafka's default", { error: String(error) });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
}

runMain('legacy-adapter', async () => {
  const config = loadLegacyAdapterConfig();
  const logger = createLogger('legacy-adapter', config.logLevel);
  const legacyDb = createPgPool(config.legacyDatabaseUrl, logger, 4);
  const temporal = Connection.lazy(temporalConnectionOptions(config.temporalAddress));
  const platformDb = createPgPool(config.databaseUrl, logger, 6);
  const kafka = createKafka({ clientId: 'legacy-adapter', brokers: config.kafkaBrokers, logger });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const registry = new Registry();
  // The process's memory, heap, garbage collection and event loop, as the gateway and worker serve.
  collectDefaultMetrics({ register: registry, prefix: 'order_platform_legacy_adapter_' });

  const comparator = config.comparator.enabled
    ? new Comparator({
        kafka,
        producer,
        pool: platformDb,
        registry,
        logger,
        graceMs: config.comparator.graceMs,
        // The bridge beside it hands the monolith's facts to the workflows: the grace of a
        // monolith decision runs from that hand-over (a platform that is behind is not silent).
        followerInbox: config.bridge ? SIGNAL_BRIDGE_NAME : undefined,
      })
    : undefined;
  const bridge = config.bridge
    ? new SignalBridge({
        kafka,
        pool: platformDb,
        temporal: new Client({
          connection: temporal,
          namespace: config.temporalNamespace,
          interceptors: tracingClientInterceptors(),
          dataConverter: { payloadCodecs: [config.payloadCodec] },
        }),
        taskQueue: config.taskQueue,
        registry,
        logger,
        producer,
        parkedFactBoundMs: config.bridgeParkedFactBoundMs,
      })
    : undefined;
  // Every .dlq topic into the dead-letter index, for operators to list and replay.
  const indexer = new DeadLetterIndexer({ kafka, pool: platformDb, registry, logger });
  // They join their consumer groups, which after a crash waits out the dead member's session:
  // joined side by side, and reported by readiness rather than holding up the rest.
  const consumers = { pending: true, error: undefined as string | undefined };
  void Promise.all([comparator?.start(), bridge?.start(), indexer.start()]).then(
    () => (consumers.pending = false),
    (error: unknown) => (consumers.error = String(error)),
  );

  const handoverSync = config.handoverSync.enabled
    ? new HandoverSync({
        routes: () => readStageRoutes(platformDb),
        monolith: monolithHandoverTarget(config.handoverSync.monolithUrl),
        intervalMs: config.handoverSync.intervalMs,
        logger,
      })
    : undefined;
  handoverSync?.start();

  const { mirror } = config;
  // A mapping that cannot load, or names tables it cannot have, stops the adapter at start.
  const mapping = loadMapping(mirror.mapping, {
    ...(mirror.tables.length > 0 ? { tables: mirror.tables } : {}),
    ...(mirror.outboxTable ? { outboxTable: mirror.outboxTable } : {}),
  });
  const sendLimits = {
    maxMessageBytes:
      mirror.maxMessageBytes ||
      (mirror.source === 'off'
        ? KAFKA_DEFAULT_MAX_MESSAGE_BYTES
        : await brokerMessageLimit(kafka, logger)),
    maxRequestBytes: mirror.maxRequestBytes,
  };
  if (mirror.source !== 'off') logger.info('mirror send limits', sendLimits);
  const publisher = new MirrorPublisher(
    producer,
    mirror.source === 'cdc' ? 'cdc' : 'outbox',
    sendLimits,
  );
  let source:
    | { start(): Promise<void> | void; stop(): Promise<void>; failingSince(): number | undefined }
    | undefined;
  let slotWatch: SlotWatch | undefined;
  if (mirror.source === 'cdc') {
    source = new CdcSource(
      legacyDb,
      publisher,
      {
        connectionString: config.legacyDatabaseUrl,
        mapping,
        publication: mirror.publication,
        slot: mirror.slot,
        chunkRows: mirror.chunkRows,
        chunkBytes: mirror.chunkBytes,
      },
      logger,
    );
    slotWatch = new SlotWatch(
      legacyDb,
      { slot: mirror.slot, ...mirror.slotWatch },
      registry,
      logger,
    );
  } else if (mirror.source === 'outbox') {
    source = new OutboxSource(
      legacyDb,
      publisher,
      { mapping, batchSize: mirror.batchSize, idleMs: mirror.pollMs },
      logger,
    );
  }
  // Only the elected leader mirrors; the others stand by with the source built, to start it the
  // moment they win the lock.
  let mirrorError: string | undefined;
  let startFailingSince: number | undefined;
  let leading = false;
  let retry: NodeJS.Timeout | undefined;
  let starting: Promise<void> = Promise.resolve();
  const startMirror = async (): Promise<void> => {
    if (!leading) return;
    try {
      await source!.start();
      mirrorError = undefined;
      startFailingSince = undefined;
      // The slot exists from here on (the source creates it); watched from now on, leading or not.
      slotWatch?.start();
      logger.info('mirror running', { source: mirror.source });
    } catch (error) {
      // A start that failed after a step-down must not schedule another one.
      if (!leading) return;
      // Typically: the monolith has not created its tables yet. Not ready; try again.
      mirrorError = String(error);
      startFailingSince ??= Date.now();
      logger.warn('mirror not started; retrying', { error: mirrorError });
      retry = setTimeout(() => (starting = startMirror()), 2_000);
      retry.unref();
    }
  };
  const election = source
    ? new LeaderElection(
        {
          connectionString: config.legacyDatabaseUrl,
          name:
            mirror.source === 'cdc'
              ? `mirror:cdc:${mirror.slot}`
              : `mirror:outbox:${mapping.outboxTable}`,
          pollMs: mirror.leaderPollMs,
          stepDownAfterMs: mirror.leaderStepDownAfterMs,
          instance: `${hostname()}:${process.pid}`,
        },
        {
          lead: () => {
            leading = true;
            // Set before anything is awaited: readiness reads it the moment the role is leader.
            mirrorError = 'starting';
            starting = startMirror();
          },
          stepDown: async () => {
            leading = false;
            clearTimeout(retry);
            // A start under way finishes first, so the stop below is the last word.
            await starting;
            clearTimeout(retry);
            await source!.stop();
            mirrorError = undefined;
            startFailingSince = undefined;
          },
          failingSince: () => startFailingSince ?? source!.failingSince(),
        },
        registry,
        logger,
      )
    : undefined;
  election?.start();

  const mirrorCheck: HealthCheck = {
    name: 'mirror',
    check: async () => {
      if (!election) return { detail: 'off' };
      // Not yet asked for the lock: neither mirroring nor known to stand by.
      if (!election.decided) throw new HealthProblem('electing');
      const role = election.role;
      // What failed is in the log ('mirror not started; retrying'), not in the public answer.
      if (role === 'leader' && mirrorError)
        throw new HealthProblem(mirrorError === 'starting' ? 'starting' : 'not running; retrying');
      // A standby is ready only once some leader made the slot: the monolith's changes from
      // before it exists are never streamed, by whichever adapter.
      if (
        role === 'standby' &&
        mirror.source === 'cdc' &&
        !(await replicationSlotExists(legacyDb, mirror.slot))
      )
        throw new HealthProblem('no replication slot yet');
      // Working but behind: the monolith's WAL piles up behind the slot.
      return slotWatch?.problem ? { degraded: slotWatch.problem, detail: role } : { detail: role };
    },
  };
  const consumersCheck: HealthCheck = {
    name: 'consumers',
    check: async () => {
      if (consumers.error) throw new HealthProblem('could not join the consumer groups');
      if (consumers.pending) throw new HealthProblem('joining consumer groups');
      // A dependency that is down holds partitions: say which, for how long and why.
      const waits = [
        ...(bridge?.waiting() ?? []).map((w) => ({ consumer: 'signal bridge', ...w })),
        ...(comparator?.waiting() ?? []).map((w) => ({ consumer: 'comparator', ...w })),
        ...indexer.waiting().map((w) => ({ consumer: 'dead-letter indexer', ...w })),
      ];
      // The dependency's own error text stays in the log and the consumer's metrics.
      if (waits.length > 0) {
        throw new HealthProblem(
          waits
            .map(
              (w) =>
                `${w.consumer} waits for ${w.dependency} on ${w.topic}/${w.partition} ` +
                `for ${w.waitingSeconds} s`,
            )
            .join('; '),
        );
      }
    },
  };
  const readiness = new ReadinessProbe(
    [
      postgresCheck(legacyDb, 'legacy-postgres'),
      postgresCheck(platformDb, 'postgres'),
      kafkaCheck(config.kafkaBrokers),
      temporalCheck(temporal),
      mirrorCheck,
      consumersCheck,
    ],
    { logger, registry },
  );
  const health = await startHealthServer(config.port, readiness, registry);
  logger.info('legacy adapter listening', {
    port: config.port,
    mirror: mirror.source,
    mapping: mapping.name,
  });
  onShutdown(logger, [
    { name: 'close health server', run: () => new Promise((r) => health.close(r)) },
    // Stepping down stops the mirror and hands the lock to a standby.
    { name: 'stop the mirror', run: async () => election?.stop() },
    { name: 'stop watching the slot', run: async () => slotWatch?.stop() },
    { name: 'stop the comparator', run: async () => comparator?.stop() },
    { name: 'stop the signal bridge', run: async () => bridge?.stop() },
    { name: 'stop the hand-over sync', run: async () => handoverSync?.stop() },
    { name: 'stop the dead-letter indexer', run: async () => indexer.stop() },
    {
      name: 'close connections',
      run: async () => {
        await producer.disconnect();
        await temporal.close();
        await legacyDb.end();
        await platformDb.end();
      },
    },
  ]);
});
