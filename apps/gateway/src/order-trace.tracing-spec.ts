/**
 * One trace per order journey, in a real Jaeger: an order placed through the gateway with the
 * caller's own `traceparent` is found under that trace id with the gateway's request, the
 * workflow start, the workflow, an activity and its downstream HTTP call, the Kafka publish of
 * its lifecycle event and the comparator consuming it, each span a child of the one before it.
 *
 * Jaeger is built from its Go module on first use (minutes), so this suite is not part of
 * `npm test`: `npm run test:tracing` runs it on a stack of its own (docs/development.md).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workflowIdForOrder } from '@order-platform/domain';
import {
  AppsUnderTest,
  calmDownstream,
  eventually,
  findFreePort,
  gatewayCall,
  installJaeger,
  jaegerUrl,
  type JaegerPorts,
  otlpEndpoint,
  simulatorCall,
  startJaeger,
  stopJaeger,
} from '@order-platform/tools';
import { tokenFor } from './testing/test-tokens';

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  processID: string;
  tags: { key: string; value: unknown }[];
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

describe('one trace per order journey', () => {
  const apps = new AppsUnderTest('tracing');
  const dir = mkdtempSync(join(tmpdir(), 'jaeger-'));
  const sku = `SKU-TR-${randomUUID().slice(0, 8)}`;
  let ports: JaegerPorts;
  let gateway: string;

  beforeAll(async () => {
    ports = { otlpHttp: await findFreePort(), query: await findFreePort(), queryGrpc: 0 };
    ports.queryGrpc = await findFreePort();
    await startJaeger({
      binary: installJaeger(),
      ports,
      logFile: join(dir, 'jaeger.log'),
      pidFile: join(dir, 'jaeger.pid'),
    });
    const traced = {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint(ports),
      // Spans leave within a fifth of a second, not the default five.
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    const simulators = await apps.downstream(traced);
    await calmDownstream(simulators);
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 10 });
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 1250,
      currency: 'EUR',
    });
    // The comparator is the consumer of the order's lifecycle events.
    await apps.start('legacy-adapter', 'legacy-adapter', { ...traced, MIRROR_SOURCE: 'off' });
    gateway = await apps.start('gateway', 'gateway', traced);
  }, 600_000);

  afterAll(async () => {
    await apps.stopAll();
    await stopJaeger(join(dir, 'jaeger.pid'));
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('follows an order from the gateway through the workflow and its activities to Kafka and a consumer', async () => {
    const traceId = randomBytes(16).toString('hex');
    const placed = await gatewayCall(gateway, 'POST', '/v1/orders', {
      token: await tokenFor('customer', `c-${randomUUID().slice(0, 8)}`),
      body: {
        items: [{ sku, quantity: 2 }],
        expectedTotalMinor: 2500,
        shippingAddress: {
          name: 'Ada',
          line1: '1 Main St',
          city: 'Berlin',
          postalCode: '10115',
          country: 'DE',
        },
      },
      headers: {
        'idempotency-key': randomUUID(),
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
    });
    expect(placed.status).toBe(202);
    const workflowId = workflowIdForOrder(placed.body.orderId);

    const trace = await eventually(
      `trace ${traceId} in Jaeger with the whole journey`,
      async () => {
        const response = await fetch(`${jaegerUrl(ports)}/api/traces/${traceId}`);
        if (!response.ok) return undefined;
        const { data } = (await response.json()) as { data: JaegerTrace[] };
        const found = data[0];
        return found && journeyComplete(found) ? found : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );

    const spans = trace.spans.map((span) => ({
      ...span,
      service: trace.processes[span.processID]?.serviceName,
      tag: (key: string) => span.tags.find((t) => t.key === key)?.value,
    }));
    const one = (what: string, match: (s: (typeof spans)[number]) => boolean) => {
      const found = spans.find(match);
      if (!found) throw new Error(`no ${what} in ${spans.map((s) => s.operationName).join(', ')}`);
      return found;
    };
    const parentOf = (span: JaegerSpan) =>
      spans.find((s) => span.references.some((r) => r.spanID === s.spanID));

    const request = one('gateway request', (s) => s.operationName === 'POST /v1/orders');
    expect(request.service).toBe('gateway');
    const start = one('workflow start', (s) => s.operationName === 'StartWorkflow:orderLifecycle');
    expect(start.service).toBe('gateway');
    expect(parentOf(start)?.spanID).toBe(request.spanID);
    const run = one('workflow run', (s) => s.operationName === 'RunWorkflow:orderLifecycle');
    expect(run.service).toBe('worker');
    expect(parentOf(run)?.spanID).toBe(start.spanID);
    const activity = one('activity', (s) => s.operationName.startsWith('RunActivity:'));
    expect(activity.service).toBe('worker');
    expect(activity.tag('temporalWorkflowId')).toBe(workflowId);
    const downstream = one(
      'downstream HTTP call',
      (s) => s.service === 'worker' && s.tag('span.kind') === 'client' && !!s.tag('url.full'),
    );
    expect(parentOf(downstream)?.operationName).toMatch(/^RunActivity:/);
    const publish = one(
      'lifecycle publish',
      (s) => s.operationName === 'publish orders.lifecycle.v1',
    );
    expect(publish.service).toBe('worker');
    expect(parentOf(publish)?.operationName).toMatch(/^RunActivity:/);
    const consume = one('consumer', (s) => s.operationName === 'process orders.lifecycle.v1');
    expect(consume.service).toBe('legacy-adapter');
    expect(parentOf(consume)?.operationName).toBe('publish orders.lifecycle.v1');
    expect(consume.tag('messaging.consumer.group.name')).toBe('stage-comparator');
  });
});

/** Every part of the journey has reached Jaeger (the processes export independently). */
function journeyComplete(trace: JaegerTrace): boolean {
  const names = trace.spans.map((span) => span.operationName);
  return (
    names.includes('POST /v1/orders') &&
    names.includes('RunWorkflow:orderLifecycle') &&
    names.some((name) => name.startsWith('RunActivity:')) &&
    names.includes('publish orders.lifecycle.v1') &&
    names.includes('process orders.lifecycle.v1')
  );
}
