import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Kafka, Message } from 'kafkajs';
import { createIdempotentProducer } from './kafka';
import { contextFromHeaders, inSpan, platformTracer, tracingEndpoint } from './tracing';

describe('tracing', () => {
  describe('is on only with an OTLP endpoint', () => {
    it.each([
      [{}, undefined],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, undefined],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }, 'http://jaeger:4318'],
      [
        { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' },
        'http://c:4318/v1/traces',
      ],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SDK_DISABLED: 'true' }, undefined],
      [
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_EXPORTER: 'none' },
        undefined,
      ],
    ])('%j -> %s', (env, expected) => {
      expect(tracingEndpoint(env as NodeJS.ProcessEnv)).toBe(expected);
    });
  });

  describe('across Kafka', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const sent: { messages: Message[] }[] = [];
    const fakeKafka = {
      producer: () => ({
        send: async (record: { messages: Message[] }) => (sent.push(record), []),
        sendBatch: async () => [],
      }),
    } as unknown as Kafka;

    // What startTracing does, with spans kept in memory instead of exported.
    beforeAll(() => provider.register());
    afterAll(() => {
      trace.disable();
      propagation.disable();
      context.disable();
    });
    beforeEach(() => {
      exporter.reset();
      sent.length = 0;
    });

    it('publishes in a producer span whose context rides in each message, and a consumer continues it', async () => {
      const producer = createIdempotentProducer(fakeKafka);
      const request = platformTracer().startSpan('POST /v1/orders', { kind: SpanKind.SERVER });
      await context.with(trace.setSpan(context.active(), request), () =>
        producer.send({
          topic: 'orders.lifecycle.v1',
          messages: [{ key: 'o-1', value: '{}', headers: { 'event-type': 'OrderReceived' } }],
        }),
      );
      request.end();

      const [publish] = exporter.getFinishedSpans().filter((s) => s.name.startsWith('publish'));
      expect(publish).toMatchObject({
        name: 'publish orders.lifecycle.v1',
        kind: SpanKind.PRODUCER,
        parentSpanId: request.spanContext().spanId,
      });
      expect(publish!.attributes['messaging.kafka.message.key']).toBe('o-1');
      const headers = sent[0]!.messages[0]!.headers!;
      // The caller's own headers stay; the publish span's context is added.
      expect(headers['event-type']).toBe('OrderReceived');
      const { traceId, spanId } = publish!.spanContext();
      expect(headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);

      // As kafkajs hands them to a consumer: Buffers.
      const received = { traceparent: Buffer.from(String(headers.traceparent)) };
      await inSpan(
        'process orders.lifecycle.v1',
        { kind: SpanKind.CONSUMER, parent: contextFromHeaders(received) },
        async () => undefined,
      );
      const consume = exporter.getFinishedSpans().find((s) => s.name.startsWith('process'));
      expect(consume!.spanContext().traceId).toBe(traceId);
      expect(consume!.parentSpanId).toBe(spanId);
    });

    it('starts a trace of its own for a message without a usable traceparent', async () => {
      for (const headers of [undefined, {}, { traceparent: 'garbage' }]) {
        await inSpan(
          'process t',
          { kind: SpanKind.CONSUMER, parent: contextFromHeaders(headers) },
          async () => undefined,
        );
      }
      const spans = exporter.getFinishedSpans();
      expect(spans).toHaveLength(3);
      for (const span of spans) expect(span.parentSpanId).toBeUndefined();
    });

    it('marks a failed handler span as an error and rethrows', async () => {
      await expect(
        inSpan('process t', { kind: SpanKind.CONSUMER }, async () => {
          throw new Error('database down');
        }),
      ).rejects.toThrow('database down');
      const [span] = exporter.getFinishedSpans();
      expect(span!.status).toMatchObject({ code: 2, message: 'Error: database down' });
      expect(span!.events.map((e) => e.name)).toEqual(['exception']);
    });
  });
});
