/**
 * What every response gets, set on Fastify itself so it covers errors and unmatched routes too:
 * a request id (the caller's `x-request-id` if it is sane, else a new one) echoed back, security
 * headers, CORS only for configured origins (and on the payload codec's paths for the Temporal
 * Web UI's origin only, with credentials, for its codec session cookie), one JSON access line per request without personal
 * data (no bodies, no tokens, no query strings), latency metrics by route template, and JSON as
 * the only body type.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import {
  context,
  isSpanContextValid,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import {
  contextFromHeaders,
  platformTracer,
  type Logger,
  withLogFields,
} from '@order-platform/runtime';
import type { GatewayConfig } from '../config';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { CODEC_PATH } from '../ops/codec.controller';

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

export const SECURITY_HEADER_OPTIONS: HelmetOptions = {
  // The OpenAPI UI at /docs loads its own script and styles from this origin.
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      // Off: the local platform is plain HTTP, and an upgrade would break /docs there.
      upgradeInsecureRequests: null,
    },
  },
};

/**
 * The headers helmet sets, computed once: with no nonces they are the same on every response,
 * and building helmet's middleware per request (as its Fastify plugin does) parsed the policy
 * each time.
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let finished = false;
  helmet(options)(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error;
      finished = true;
    },
  );
  // helmet's middleware is synchronous; if it ever is not, refuse to start without the headers.
  if (!finished || !headers['content-security-policy'])
    throw new Error('helmet did not set its headers synchronously');
  return headers;
}

export function requestIdOf(request: {
  headers: Record<string, string | string[] | undefined>;
}): string {
  const offered = request.headers['x-request-id'];
  return typeof offered === 'string' && SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
}

export async function hardenHttp(
  fastify: FastifyInstance,
  options: { config: GatewayConfig; logger: Logger; metrics: GatewayMetrics },
): Promise<void> {
  const { config, logger, metrics } = options;
  const security = securityHeaders(SECURITY_HEADER_OPTIONS);
  const api =
    config.http.corsOrigins.length > 0
      ? { origin: config.http.corsOrigins, maxAge: 600 }
      : { origin: false };
  const codec = {
    // A list, so the header is sent only to that origin (a lone string is sent to anyone).
    origin: [new URL(config.temporalUiUrl).origin],
    credentials: true,
    methods: ['POST'],
    maxAge: 600,
  };
  await fastify.register(cors, {
    delegator: (request, answer) =>
      answer(null, request.url.startsWith(`${CODEC_PATH}/`) ? codec : api),
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(security);
    void reply.header('x-request-id', request.id);
    void reply.header('cache-control', 'no-store');
    done();
  });
  traceRequests(fastify);
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.requestDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      seconds,
    );
    if (route === '/health/live' || route === '/health/ready' || route === '/metrics') return;
    const orderId = orderIdOf(request.params);
    const span = requestSpans.get(request)?.spanContext();
    logger.info('request', {
      requestId: request.id,
      method: request.method,
      route,
      status: reply.statusCode,
      durationMs: Math.round(seconds * 10_000) / 10,
      ...(orderId ? { orderId } : {}),
      ...(span && isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {}),
    });
  });
  // Only JSON bodies: anything else is a 415, not a string for the validator to puzzle over.
  fastify.removeContentTypeParser('text/plain');
}

const requestSpans = new WeakMap<object, Span>();
const UNTRACED = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * A server span per request (probes and scrapes aside), named by route template, a child of the
 * caller's `traceparent` if any. The handler runs inside it, so the workflow start, the queries
 * and the catalogue call it makes join the request's trace. It is made active in preHandler,
 * after the body is read: the body's stream events would not carry it.
 */
function traceRequests(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    if (route && UNTRACED.has(route)) return;
    const span = platformTracer().startSpan(
      `${request.method} ${route ?? 'unmatched'}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'http.route': route ?? 'unmatched',
          'gateway.request_id': request.id,
        },
      },
      contextFromHeaders(request.headers),
    );
    requestSpans.set(request, span);
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const span = requestSpans.get(request);
    if (!span) return done();
    // What the handler logs names the request and, on an order's routes, the order.
    const orderId = orderIdOf(request.params);
    const fields = { requestId: request.id, ...(orderId ? { orderId } : {}) };
    context.with(trace.setSpan(context.active(), span), () => withLogFields(fields, done));
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const span = requestSpans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}

/** The order an order route names (`/v1/orders/:orderId/...`), for logs. */
function orderIdOf(params: unknown): string | undefined {
  const orderId = (params as { orderId?: unknown } | undefined)?.orderId;
  return typeof orderId === 'string' && orderId.length <= 64 ? orderId : undefined;
}
