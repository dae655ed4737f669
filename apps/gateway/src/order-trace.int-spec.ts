/**
 * One trace per order journey, in a real Jaeger: an order placed through the gateway with the
 * caller's own `traceparent` is found under that trace id with the gateway's request, the
 * workflow start, the workflow, an activity and its downstream HTTP call, the Kafka publish of
 * its lifecycle event and the comparator consuming it, each span a child of the one before it.
 * The suite runs a Jaeger of its own (built from its Go module on first use, a few minutes, then
 * cached) and its own traced apps on the shared stack, so the trace holds only its journey.
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
      binary: await installJaeger(),
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
  }, 900_000);

  afterAll(async () => {
    await apps.stopAll();
    await stopJaeger(join(dir, 'jaeger.pid'));
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('follows an order from the gateway through the workflow and its activities to Kafka and a consumer', async () => {
    const traceId = randomBytes(16).toString('hex');
    const customer = await tokenFor('customer', `c-${randomUUID().slice(0, 8)}`);
    const placed = await gatewayCall(gateway, 'POST', '/v1/orders', {
      token: customer,
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
    const { orderId } = placed.body as { orderId: string };

    // Each span is exported when it ends; the workflow's when its run ends. The order waits for
    // its parcel, so once its holds are taken it is cancelled, which ends the run.
    await eventually(
      'the journey up to the consumer in Jaeger',
      async () => ((await traceOf(traceId))?.spans.some(isConsumer) ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    await eventually(
      `order ${orderId} to be READY_TO_SHIP`,
      async () => {
        const reply = await gatewayCall(gateway, 'GET', `/v1/orders/${orderId}`, {
          token: customer,
        });
        return reply.body.status === 'READY_TO_SHIP' ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const cancel = await gatewayCall(gateway, 'POST', `/v1/orders/${orderId}/cancel`, {
      token: customer,
    });
    expect([200, 202]).toContain(cancel.status);
    const trace = await eventually(
      `the workflow's span in trace ${traceId}`,
      async () => {
        const found = await traceOf(traceId);
        return found?.spans.some((s) => s.operationName === 'RunWorkflow:orderLifecycle')
          ? found
          : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
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
    const workflowId = workflowIdForOrder(orderId);

    const request = one('gateway request', (s) => s.operationName === 'POST /v1/orders');
    expect(request.service).toBe('gateway');
    const start = one('workflow start', (s) => s.operationName === 'StartWorkflow:orderLifecycle');
    expect(start.service).toBe('gateway');
    expect(parentOf(start)?.spanID).toBe(request.spanID);
    const run = one('workflow run', (s) => s.operationName === 'RunWorkflow:orderLifecycle');
    expect(run.service).toBe('worker');
    expect(parentOf(run)?.spanID).toBe(start.spanID);
    const screening = one('fraud screening', (s) => s.operationName === 'RunActivity:screenOrder');
    expect(screening.service).toBe('worker');
    expect(screening.tag('temporalWorkflowId')).toBe(workflowId);
    const scheduled = parentOf(screening);
    expect(scheduled?.operationName).toBe('StartActivity:screenOrder');
    expect(parentOf(scheduled!)?.spanID).toBe(run.spanID);
    const downstream = one(
      'downstream HTTP call',
      (s) => s.tag('span.kind') === 'client' && parentOf(s)?.spanID === screening.spanID,
    );
    expect(downstream.tag('url.full')).toMatch(/\/fraud\/screenings$/);
    const publish = one(
      'lifecycle publish',
      (s) => s.operationName === 'publish orders.lifecycle.v1',
    );
    expect(publish.service).toBe('worker');
    expect(parentOf(publish)?.operationName).toBe('RunActivity:recordOrderChange');
    const consume = one('consumer', isConsumer);
    expect(consume.service).toBe('legacy-adapter');
    expect(parentOf(consume)?.operationName).toBe('publish orders.lifecycle.v1');
    expect(consume.tag('messaging.consumer.group.name')).toBe('stage-comparator');
    // What the workflow knows of the customer is in its spans; nothing they typed is.
    expect(JSON.stringify(trace)).not.toMatch(/1 Main St|10115/);
  });

  async function traceOf(traceId: string): Promise<JaegerTrace | undefined> {
    const response = await fetch(`${jaegerUrl(ports)}/api/traces/${traceId}`);
    if (!response.ok) return undefined;
    const { data } = (await response.json()) as { data: JaegerTrace[] };
    return data[0];
  }
});

const isConsumer = (span: JaegerSpan): boolean =>
  span.operationName === 'process orders.lifecycle.v1';
