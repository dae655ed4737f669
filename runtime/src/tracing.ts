/**
 * OpenTelemetry for every platform process: one tracer provider, spans exported by OTLP over HTTP
 * to `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), and off when neither
 * is set. The exporter reads the standard variables itself (headers, timeout); the sampler too
 * (`OTEL_TRACES_SAMPLER`, parent-based always-on by default); `OTEL_SERVICE_NAME` and
 * `OTEL_RESOURCE_ATTRIBUTES` override the resource.
 *
 * Context crosses processes as W3C `traceparent`/`tracestate`: in HTTP headers (the gateway's
 * server span, every `fetch` made by a platform process through the undici instrumentation), in
 * Temporal headers (@temporalio/interceptors-opentelemetry: workflow start, workflow, activity)
 * and in Kafka message headers (runtime/src/kafka.ts and the reliable consumer).
 *
 * The SDK is the 1.x line on purpose: @temporalio/interceptors-opentelemetry 1.24 builds workflow
 * spans in the 1.x shape (`parentSpanId`, `instrumentationLibrary`), which a 2.x exporter drops.
 */
import {
  context,
  propagation,
  type Context,
  type Span,
  type SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
} from '@opentelemetry/api';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { envDetectorSync, Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  /** Whether spans leave the process (an OTLP endpoint is configured). */
  readonly enabled: boolean;
  /** The process's resource (service.name and the rest), for exporters built elsewhere. */
  readonly resource: Resource;
  /** Where finished spans go; a no-op when tracing is off. The worker hands it to workflows. */
  readonly spanProcessor: SpanProcessor;
  /** Flushes what is buffered; the process's last act before exit. */
  shutdown(): Promise<void>;
}

/** The OTLP endpoint spans go to, or undefined when tracing is off. */
export function tracingEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return undefined;
  const endpoint =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return endpoint || undefined;
}

let current: Tracing | undefined;

/**
 * Starts tracing for this process as `service` (once; later calls return the first). Call it
 * before the process makes its clients, so the undici instrumentation sees every `fetch`.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  if (current) return current;
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': service }))
    .merge(envDetectorSync.detect());
  if (!tracingEndpoint(env)) {
    current = {
      enabled: false,
      resource,
      spanProcessor: new NoopSpanProcessor(),
      shutdown: async () => undefined,
    };
    return current;
  }
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The W3C trace-context and baggage propagators, and the AsyncLocalStorage context manager.
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    // Downstream calls: every fetch gets a client span and carries traceparent.
    instrumentations: [new UndiciInstrumentation()],
  });
  current = {
    enabled: true,
    resource,
    spanProcessor,
    shutdown: () => provider.shutdown(),
  };
  return current;
}

/** Flushes and stops tracing, if it was started: a clean shutdown's last step. */
export async function stopTracing(): Promise<void> {
  await current?.shutdown();
}

/**
 * The Temporal client interceptors of every process that starts, signals, updates or queries
 * workflows: each call is a span, and its context travels in the Temporal headers to the
 * workflow. Harmless when tracing is off (nothing is injected).
 */
export const tracingClientInterceptors = () => ({
  workflow: [new OpenTelemetryWorkflowClientInterceptor()],
});

/** The platform's own spans (Kafka, the gateway's requests) come from this tracer. */
export const platformTracer = () => trace.getTracer('order-platform');

/** A carrier of string headers (HTTP, Kafka): what `traceparent` is read from and written to. */
export type HeaderCarrier = Record<string, unknown>;

/** The trace context the carrier's headers name (Kafka values may be Buffers). */
export function contextFromHeaders(headers: HeaderCarrier | undefined, base = context.active()) {
  if (!headers) return base;
  return propagation.extract(base, headers, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => {
      const value = carrier[key];
      const first = Array.isArray(value) ? (value[0] as unknown) : value;
      if (typeof first === 'string') return first;
      if (Buffer.isBuffer(first)) return first.toString('utf8');
      return undefined;
    },
  });
}

/** The active (or given) trace context as headers (`traceparent`, `tracestate`); empty when off. */
export function traceHeaders(from: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  return carrier;
}

/**
 * Runs `fn` in a new span (a child of `parent`, by default the active context) that ends when
 * `fn` settles; a throw marks it failed with the error recorded, and is rethrown.
 */
export async function inSpan<T>(
  name: string,
  options: { kind: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = platformTracer().startSpan(
    name,
    { kind: options.kind, attributes: options.attributes },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
    throw error;
  } finally {
    span.end();
  }
}

/** The active span's trace id, for log lines; undefined outside a sampled span. */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getSpan(context.active())?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
