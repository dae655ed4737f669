/**
 * The legacy adapter process: the mirror (the monolith's changes -> `legacy.order-events.v1`),
 * from its transaction log (MIRROR_SOURCE=cdc) or its outbox (outbox). The signal bridge and
 * the comparator join it with the rest of issue #5. Ready when the monolith's database, Kafka
 * and Temporal answer and the mirror runs.
 */
import { Connection } from '@temporalio/client';
import { CdcSource, MirrorPublisher, OutboxSource } from '@order-platform/legacy-adapter';
import {
  createIdempotentProducer,
  createKafka,
  createLogger,
  createPgPool,
  type HealthCheck,
  kafkaCheck,
  onShutdown,
  postgresCheck,
  runMain,
  startHealthServer,
  temporalCheck,
} from '@order-platform/runtime';
import { loadLegacyAdapterConfig } from './config';

runMain('legacy-adapter', async () => {
  const config = loadLegacyAdapterConfig();
  const logger = createLogger('legacy-adapter', config.logLevel);
  const legacyDb = createPgPool(config.legacyDatabaseUrl, logger, 4);
  const temporal = Connection.lazy({ address: config.temporalAddress });
  const producer = createIdempotentProducer(
    createKafka({ clientId: 'legacy-adapter', brokers: config.kafkaBrokers, logger }),
  );
  await producer.connect();

  const { mirror } = config;
  const publisher = new MirrorPublisher(producer, mirror.source === 'cdc' ? 'cdc' : 'outbox');
  let source: { start(): Promise<void> | void; stop(): Promise<void> } | undefined;
  if (mirror.source === 'cdc') {
    source = new CdcSource(
      legacyDb,
      publisher,
      {
        connectionString: config.legacyDatabaseUrl,
        tables: mirror.tables,
        publication: mirror.publication,
        slot: mirror.slot,
      },
      logger,
    );
  } else if (mirror.source === 'outbox') {
    source = new OutboxSource(
      legacyDb,
      publisher,
      { table: mirror.outboxTable, batchSize: mirror.batchSize, idleMs: mirror.pollMs },
      logger,
    );
  }
  let mirrorError: string | undefined = source ? 'starting' : undefined;
  const startMirror = async (): Promise<void> => {
    try {
      await source!.start();
      mirrorError = undefined;
      logger.info('mirror running', { source: mirror.source });
    } catch (error) {
      // Typically: the monolith has not created its tables yet. Not ready; try again.
      mirrorError = String(error);
      logger.warn('mirror not started; retrying', { error: mirrorError });
      setTimeout(() => void startMirror(), 2_000).unref();
    }
  };
  if (source) void startMirror();

  const mirrorCheck: HealthCheck = {
    name: 'mirror',
    check: async () => {
      if (mirrorError) throw new Error(mirrorError);
    },
  };
  const health = await startHealthServer(config.port, [
    postgresCheck(legacyDb, 'legacy-postgres'),
    kafkaCheck(config.kafkaBrokers),
    temporalCheck(temporal),
    mirrorCheck,
  ]);
  logger.info('legacy adapter listening', { port: config.port, mirror: mirror.source });
  onShutdown(logger, [
    { name: 'close health server', run: () => new Promise((r) => health.close(r)) },
    { name: 'stop the mirror', run: async () => source?.stop() },
    {
      name: 'close connections',
      run: async () => {
        await producer.disconnect();
        await temporal.close();
        await legacyDb.end();
      },
    },
  ]);
});
