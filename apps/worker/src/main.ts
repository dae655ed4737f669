/**
 * The Temporal worker process: polls the order task queue and the downstream bulkheads' queues
 * (`task-queues.ts`) and runs the workflows in workflows/ with the activities in activities/,
 * wired here to their real adapters: the downstream services over HTTP, Kafka for lifecycle
 * events, PostgreSQL for the read model. Readiness reports the workers running and every
 * dependency answering; /metrics serves the Temporal SDK's metrics and the platform's (metrics.ts).
 */
import 'reflect-metadata';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import {
  CircuitBreaker,
  CircuitBreakingFraudPort,
  createHttpPorts,
  VisibilityFraudBacklog,
  HoldingsHttpAdapter,
  MonolithHttpAdapter,
  KafkaLifecyclePublisher,
} from '@order-platform/activities';
import {
  createKafka,
  createLogger,
  HealthProblem,
  kafkaCheck,
  onShutdown,
  ReadinessProbe,
  runMain,
  startHealthServer,
  startTracing,
  temporalCheck,
  tracingClientInterceptors,
  temporalConnectionOptions,
} from '@order-platform/runtime';
import {
  CustomerNotificationStore,
  DegradedModeStore,
  OrderPersonalDataStore,
  OrderStatusStore,
  platformDataSource,
  ReconciliationFindingStore,
  StageRouteStore,
  TypeOrmOrderStatusProjector,
  WorkerCircuitStore,
} from '@order-platform/stores';
import { ensureBacklogMonitor } from './backlog-monitor';
import { CircuitReports, workerId } from './circuit-reports';
import { loadWorkerConfig } from './config';
import { ensureReconciliationSchedule } from './reconciliation-schedule';
import { createWorkerActivities, taskQueueWorkers } from './task-queues';
import { ActivityLogContext, installTemporalRuntime } from './logging';
import { freeLoopbackPort, sdkPrometheus, WorkerMetrics } from './metrics';
import { workerTracingOptions } from './tracing';
import { workflowCode } from './workflow-bundle';

runMain('worker', async () => {
  const config = loadWorkerConfig();
  const logger = createLogger('worker', config.logLevel);
  const sdkMetricsPort = await freeLoopbackPort();
  installTemporalRuntime(logger, config.logLevel, sdkPrometheus(sdkMetricsPort));
  const metrics = new WorkerMetrics(sdkMetricsPort);
  const readModel = await platformDataSource(config.databaseUrl, {
    applicationName: 'order-platform-read-model',
  }).initialize();
  const publisher = new KafkaLifecyclePublisher(
    createKafka({ clientId: 'order-worker', brokers: config.kafkaBrokers, logger }),
  );
  const ports = createHttpPorts(config.downstream);
  // Per process: each worker's breaker learns from its own calls; operators see every worker's.
  const fraudCircuitReports = new CircuitReports(new WorkerCircuitStore(readModel), logger, {
    workerId: workerId(),
    circuit: 'fraud',
    taskQueue: config.taskQueue,
  });
  const fraudCircuit = new CircuitBreaker({
    ...config.fraudCircuit,
    onChange: (state, why) => {
      logger.warn('fraud provider circuit changed', { state, why });
      fraudCircuitReports.changed(state, why);
      metrics.circuitChanged('fraud', state);
    },
  });
  metrics.circuitChanged('fraud', 'closed');
  const degradedModes = new DegradedModeStore(readModel, config.taskQueue);
  const connection = await NativeConnection.connect(
    temporalConnectionOptions(config.temporalAddress),
  );
  const probeConnection = await Connection.connect(
    temporalConnectionOptions(config.temporalAddress),
  );
  const dataConverter = { payloadCodecs: [config.payloadCodec] };
  const client = new Client({
    connection: probeConnection,
    namespace: config.temporalNamespace,
    interceptors: tracingClientInterceptors(),
    dataConverter,
  });
  const tracing = workerTracingOptions(startTracing('worker'));
  const activities = createWorkerActivities({
    order: {
      events: publisher,
      readModel: new TypeOrmOrderStatusProjector(readModel),
      policies: () => config.policies,
      degradedModes,
    },
    backlogMonitor: {
      gauge: new VisibilityFraudBacklog(client, config.taskQueue),
      modes: degradedModes,
      intervalMs: () => config.backlogMonitorIntervalMs,
      onSwitch: (active, reason) =>
        logger.warn(`degraded mode fraud-backlog ${active ? 'on' : 'off'}`, { reason }),
    },
    reconciliation: {
      orders: new OrderStatusStore(readModel),
      findings: new ReconciliationFindingStore(readModel),
      holdings: new HoldingsHttpAdapter(config.downstream),
      payment: ports.payment,
      inventory: ports.inventory,
      minimumGrace: () => config.reconciliation.minimumGrace,
    },
    // For the workflows that follow monolith orders (the strangler).
    strangler: {
      routes: new StageRouteStore(readModel),
      inventory: ports.inventory,
      monolith: new MonolithHttpAdapter(config.monolithUrl),
    },
    downstream: {
      ...ports,
      fraud: new CircuitBreakingFraudPort(ports.fraud, fraudCircuit),
      shippingAddresses: new OrderPersonalDataStore(readModel),
      sentNotifications: new CustomerNotificationStore(readModel),
    },
  });
  const workers = await Promise.all(
    taskQueueWorkers(config.taskQueue, config.bulkheadLimits, activities).map(
      ({ runsWorkflows, ...queue }) =>
        Worker.create({
          connection,
          namespace: config.temporalNamespace,
          dataConverter,
          ...queue,
          sinks: tracing.sinks,
          interceptors: {
            ...tracing.interceptors,
            // Inside the activity's span: its lines carry the trace id and name its order.
            activity: [
              ...(tracing.interceptors?.activity ?? []),
              (ctx) => ({ inbound: new ActivityLogContext(ctx) }),
            ],
          },
          ...(runsWorkflows
            ? {
                ...workflowCode(config.workflowBundlePath),
                // Unset keeps the SDK's default (it sizes the cache from the heap limit).
                maxCachedWorkflows: config.maxCachedWorkflows,
              }
            : {}),
        }),
    ),
  );
  const running = Promise.all(workers.map((worker) => worker.run()));
  await ensureBacklogMonitor(client, config.taskQueue);
  await ensureReconciliationSchedule(client, {
    taskQueue: config.taskQueue,
    intervalMs: config.reconciliation.intervalMs,
    input: {
      lookbackMs: config.reconciliation.lookbackMs,
      ...(config.reconciliation.graceMs === undefined
        ? {}
        : { graceMs: config.reconciliation.graceMs }),
      ordersPerSecond: config.reconciliation.ordersPerSecond,
    },
  });
  const readiness = new ReadinessProbe(
    [
      temporalCheck(probeConnection),
      kafkaCheck(config.kafkaBrokers),
      { name: 'postgres', check: async () => void (await readModel.query('SELECT 1')) },
      {
        name: 'worker',
        check: async () => {
          const stopped = workers.filter((worker) => worker.getState() !== 'RUNNING');
          if (stopped.length > 0)
            throw new HealthProblem(
              stopped.map((w) => `${w.options.taskQueue} is ${w.getState()}`).join('; '),
            );
        },
      },
    ],
    { logger, registry: metrics.registry },
  );
  const health = await startHealthServer(config.port, readiness, metrics.scrape);
  logger.info('worker polling', {
    taskQueue: config.taskQueue,
    namespace: config.temporalNamespace,
    port: config.port,
  });
  onShutdown(logger, [
    {
      name: 'drain worker',
      run: async () => {
        for (const worker of workers) worker.shutdown();
        await running;
      },
    },
    { name: 'close health server', run: () => new Promise((r) => health.close(r)) },
    {
      name: 'close connections',
      run: async () => {
        await fraudCircuitReports.stop().catch(() => undefined);
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
