/**
 * The Temporal worker process: polls the order task queue and runs the workflows in workflows/
 * with the activities in activities/, wired here to their real adapters: the downstream services
 * over HTTP, Kafka for lifecycle events, PostgreSQL for the read model. Readiness reports the
 * worker running and every dependency answering.
 */
import 'reflect-metadata';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import {
  createHttpPorts,
  createOrderActivities,
  createReconciliationActivities,
  createStranglerActivities,
  HoldingsHttpAdapter,
  MonolithHttpAdapter,
  TypeOrmStageRouteReader,
  createReadModelDataSource,
  KafkaLifecyclePublisher,
  TypeOrmOrderStatusProjector,
} from '@order-platform/activities';
import {
  createKafka,
  createLogger,
  kafkaCheck,
  onShutdown,
  runMain,
  startHealthServer,
  temporalCheck,
} from '@order-platform/runtime';
import { WORKFLOWS_PATH, workflowBundlerOptions } from '@order-platform/workflows/bundle';
import { loadWorkerConfig } from './config';
import { ensureReconciliationSchedule } from './reconciliation-schedule';

runMain('worker', async () => {
  const config = loadWorkerConfig();
  const logger = createLogger('worker', config.logLevel);
  const readModel = await createReadModelDataSource(config.databaseUrl).initialize();
  const publisher = new KafkaLifecyclePublisher(
    createKafka({ clientId: 'order-worker', brokers: config.kafkaBrokers, logger }),
  );
  const ports = createHttpPorts(config.downstream);
  const activities = {
    ...createOrderActivities({
      ...ports,
      events: publisher,
      readModel: new TypeOrmOrderStatusProjector(readModel),
      policies: () => config.policies,
    }),
    ...createReconciliationActivities({
      db: readModel,
      holdings: new HoldingsHttpAdapter(config.downstream),
      payment: ports.payment,
      inventory: ports.inventory,
    }),
    // For the workflows that follow monolith orders (the strangler).
    ...createStranglerActivities({
      routes: new TypeOrmStageRouteReader(readModel),
      inventory: ports.inventory,
      monolith: new MonolithHttpAdapter(config.monolithUrl),
    }),
  };
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const probeConnection = await Connection.connect({ address: config.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    bundlerOptions: workflowBundlerOptions(),
    activities,
  });
  const running = worker.run();
  await ensureReconciliationSchedule(
    new Client({ connection: probeConnection, namespace: config.temporalNamespace }),
    {
      taskQueue: config.taskQueue,
      intervalMs: config.reconciliation.intervalMs,
      input: {
        lookbackMs: config.reconciliation.lookbackMs,
        graceMs: config.reconciliation.graceMs,
        ordersPerSecond: config.reconciliation.ordersPerSecond,
      },
    },
  );
  const health = await startHealthServer(config.port, [
    temporalCheck(probeConnection),
    kafkaCheck(config.kafkaBrokers),
    { name: 'postgres', check: async () => void (await readModel.query('SELECT 1')) },
    {
      name: 'worker',
      check: async () => {
        if (worker.getState() !== 'RUNNING') throw new Error(`worker is ${worker.getState()}`);
      },
    },
  ]);
  logger.info('worker polling', {
    taskQueue: config.taskQueue,
    namespace: config.temporalNamespace,
    port: config.port,
  });
  onShutdown(logger, [
    {
      name: 'drain worker',
      run: async () => {
        worker.shutdown();
        await running;
      },
    },
    { name: 'close health server', run: () => new Promise((r) => health.close(r)) },
    {
      name: 'close connections',
      run: async () => {
        await publisher.disconnect();
        await readModel.destroy();
        await connection.close();
        await probeConnection.close();
      },
    },
  ]);
  await running.catch((error: unknown) => {
    logger.error('worker stopped unexpectedly', { error });
    process.exit(1);
  });
});
