/**
 * The workflow baseline's worker, a process of its own like apps/worker, with the same Worker
 * options as apps/worker/src/main.ts (the SDK's defaults) so only the workflow differs.
 * and the same payload codec. Env: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE,
 * PAYLOAD_CODEC_KEYS. Prints "ready" once polling.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { platformDataConverter } from '@order-platform/runtime';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    dataConverter: platformDataConverter(process.env),
    taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'bench-bare',
    workflowsPath: require.resolve('./bare-order.workflow'),
    activities: { noop: async (_step: number): Promise<void> => undefined },
  });
  const running = worker.run();
  console.log('ready');
  process.once('SIGTERM', () => worker.shutdown());
  await running;
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
