/**
 * The legacy adapter process. It will run the mirror (monolith -> Kafka), the signal bridge and
 * the comparator from legacy-adapter/ (issue #5); today it holds the connections those need and
 * reports whether the monolith's database, Kafka and Temporal answer.
 */
import { Connection } from '@temporalio/client';
import {
  createLogger,
  createPgPool,
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
  const legacyDb = createPgPool(config.legacyDatabaseUrl, logger, 2);
  const temporal = Connection.lazy({ address: config.temporalAddress });
  const health = await startHealthServer(config.port, [
    postgresCheck(legacyDb, 'legacy-postgres'),
    kafkaCheck(config.kafkaBrokers),
    temporalCheck(temporal),
  ]);
  logger.info('legacy adapter listening', { port: config.port });
  onShutdown(logger, [
    { name: 'close health server', run: () => new Promise((r) => health.close(r)) },
    {
      name: 'close connections',
      run: async () => {
        await temporal.close();
        await legacyDb.end();
      },
    },
  ]);
});
