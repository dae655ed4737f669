import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freeLoopbackPort, WorkerMetrics } from './metrics';

/** What the SDK's core listener serves, in short. */
const SDK_TEXT = [
  '# HELP temporal_worker_task_slots_available Free task slots',
  '# TYPE temporal_worker_task_slots_available gauge',
  'temporal_worker_task_slots_available{task_queue="orders",worker_type="ActivityWorker"} 100',
  '',
].join('\n');

describe("the worker's /metrics", () => {
  let sdk: Server;
  let sdkPort: number;

  beforeAll(async () => {
    sdk = createServer((_request, response) => response.end(SDK_TEXT));
    await new Promise<void>((resolve) => sdk.listen(0, '127.0.0.1', resolve));
    sdkPort = (sdk.address() as AddressInfo).port;
  });

  afterAll(() => new Promise((resolve) => sdk.close(resolve)));

  it("serves the SDK's metrics followed by the platform's, each family once", async () => {
    const metrics = new WorkerMetrics(sdkPort);
    metrics.circuitChanged('fraud', 'open');
    const { contentType, text } = await metrics.scrape();
    expect(contentType).toContain('text/plain');
    expect(text).toContain(
      'temporal_worker_task_slots_available{task_queue="orders",worker_type="ActivityWorker"} 100',
    );
    expect(text).toContain('order_platform_worker_circuit_open{circuit="fraud"} 1');
    expect(text).toMatch(/^order_platform_worker_process_resident_memory_bytes \d+/m);
    expect(text.indexOf('temporal_')).toBeLessThan(text.indexOf('order_platform_worker_'));
    const families = text.match(/^# TYPE (\S+)/gm) ?? [];
    expect(new Set(families).size).toBe(families.length);
  });

  it("still serves the platform's metrics while the SDK's listener does not answer", async () => {
    const metrics = new WorkerMetrics(await freeLoopbackPort());
    metrics.circuitChanged('fraud', 'half-open');
    const { text } = await metrics.scrape();
    expect(text).not.toContain('temporal_');
    expect(text).toContain('order_platform_worker_circuit_open{circuit="fraud"} 0.5');
  });
});
