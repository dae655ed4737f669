/**
 * The strangler facade: a reverse proxy in front of the monolith's order endpoint. Order
 * placement (`POST /orders`) goes, for intake's share of customers (sticky by a hash of the
 * customer id, domain's intakeSideFor), to the platform's API in the platform's shape, and for
 * the rest to the monolith as it came; every other request is passed to the monolith unchanged,
 * streamed both ways. The facade answers its own /health/live and /health/ready.
 *
 * Before either side sees an order placement, the facade reads it: too large is a 413, not a
 * JSON object with a customer and items is a 400, both problem documents. A side that does not
 * answer is a 502 (504 when it is too slow) for the requests bound to that side only.
 */
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { intakeSideFor } from '@order-platform/domain';
import { checkReadiness, type HealthCheck, type Logger } from '@order-platform/runtime';
import type { IntakeRouteReading } from './intake-route';
import {
  monolithShapedAnswer,
  type PlatformOrder,
  problem,
  type ProblemDocument,
  readPlacement,
  toPlatformOrder,
} from './placement';

export interface FacadeOptions {
  monolithUrl: string;
  gatewayUrl: string;
  intakeRoute: () => Promise<IntakeRouteReading>;
  /** A short-lived bearer token the platform accepts for this customer. */
  customerToken: (customerId: string) => Promise<string>;
  bodyLimitBytes: number;
  upstreamTimeoutMs: number;
  readiness: HealthCheck[];
  logger: Logger;
}

export type Side = 'monolith' | 'platform';
export const PLACED_ON_HEADER = 'x-order-placed-on';
/** Why an order the platform's share would have taken went to the monolith. */
export const KEPT_REASON_HEADER = 'x-facade-kept-on-monolith';

/** Not forwarded: they describe one connection, not the request (RFC 9110, 7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

const PROBLEM_JSON = 'application/problem+json';

export function createFacade(options: FacadeOptions) {
  const { logger } = options;
  const monolith = new URL(options.monolithUrl);

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': status >= 400 ? PROBLEM_JSON : 'application/json',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
      ...headers,
    });
    response.end(text);
  };
  const sendProblem = (response: ServerResponse, doc: ProblemDocument, headers = {}) =>
    send(response, doc.status, doc, headers);

  const unavailable = (side: Side, error: unknown): ProblemDocument => {
    const timedOut =
      error instanceof Error &&
      (error.name === 'TimeoutError' || error.message === 'upstream timeout');
    return timedOut
      ? problem(
          504,
          'upstream-timeout',
          'The side behind the facade did not answer in time',
          `The ${side} did not answer within ${options.upstreamTimeoutMs} ms`,
          { upstream: side },
        )
      : problem(
          502,
          'upstream-unavailable',
          'The side behind the facade is unavailable',
          `The ${side} cannot be reached: ${error instanceof Error ? error.message : String(error)}`,
          { upstream: side },
        );
  };

  /** Forwards to the monolith: `body` as read, or the request's own stream. */
  const toMonolith = (
    incoming: IncomingMessage,
    response: ServerResponse,
    body?: Buffer,
    extraHeaders: Record<string, string> = {},
  ): void => {
    const headers = forwardedHeaders(incoming.headers, incoming.socket.remoteAddress);
    if (body) headers['content-length'] = String(body.length);
    const upstream = (monolith.protocol === 'https:' ? httpsRequest : httpRequest)(
      {
        protocol: monolith.protocol,
        hostname: monolith.hostname,
        port: monolith.port,
        method: incoming.method,
        path: joinPath(monolith.pathname, incoming.url ?? '/'),
        headers,
        timeout: options.upstreamTimeoutMs,
      },
      (answer) => {
        const answerHeaders: Record<string, string | string[]> = { ...extraHeaders };
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) answerHeaders[name] = value;
        }
        response.writeHead(answer.statusCode ?? 502, answerHeaders);
        answer.pipe(response);
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('error', (error) => {
      logger.warn('the monolith did not answer', { error: String(error), path: incoming.url });
      if (!response.headersSent)
        sendProblem(response, unavailable('monolith', error), extraHeaders);
      else response.destroy(error);
    });
    if (body) upstream.end(body);
    else incoming.pipe(upstream);
  };

  const toPlatform = async (order: PlatformOrder, response: ServerResponse): Promise<void> => {
    const placedOn = { [PLACED_ON_HEADER]: 'platform' };
    let answer: Response;
    let text: string;
    try {
      answer = await fetch(new URL('/v1/orders', options.gatewayUrl), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await options.customerToken(order.customerId)}`,
          'content-type': 'application/json',
          'idempotency-key': order.idempotencyKey,
        },
        body: JSON.stringify(order.body),
        signal: AbortSignal.timeout(options.upstreamTimeoutMs),
      });
      // Inside the try: a body cut off or timed out mid-read is the platform not answering too.
      text = await answer.text();
    } catch (error) {
      logger.warn('the platform did not answer', { error: String(error) });
      return sendProblem(response, unavailable('platform', error), placedOn);
    }
    let body: unknown = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON: passed on as the platform wrote it (a proxy's error page, say).
    }
    const shaped = monolithShapedAnswer({ status: answer.status, body });
    const headers: Record<string, string> = { ...placedOn };
    for (const name of ['retry-after', 'location', 'idempotent-replayed', 'x-request-id']) {
      const value = answer.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    if (typeof shaped.body === 'string') {
      response.writeHead(shaped.status, {
        ...headers,
        'content-type': answer.headers.get('content-type') ?? 'text/plain',
      });
      response.end(shaped.body);
      return;
    }
    // The platform's problems keep their own content type and type URNs.
    send(response, shaped.status, shaped.body, {
      ...headers,
      'content-type':
        answer.headers.get('content-type') ??
        (shaped.status >= 400 ? PROBLEM_JSON : 'application/json'),
    });
  };

  const placeOrder = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    const declared = Number(incoming.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.bodyLimitBytes) {
      return tooLarge(incoming, response);
    }
    const body = await readBody(incoming, options.bodyLimitBytes);
    if (body === 'too-large') return tooLarge(incoming, response);
    const placement = readPlacement(body);
    if (!placement.ok) return sendProblem(response, placement.problem);
    const { route, source } = await options.intakeRoute();
    const side = intakeSideFor(placement.customerId, route);
    if (side === 'platform') {
      const header = incoming.headers['idempotency-key'];
      const translated = toPlatformOrder(placement, Array.isArray(header) ? header[0] : header);
      if (translated.ok) {
        logger.debug('order to the platform', {
          customerId: placement.customerId,
          routeSource: source,
        });
        return toPlatform(translated.order, response);
      }
      logger.info('order kept on the monolith', {
        customerId: placement.customerId,
        reason: translated.keepOnMonolith,
      });
      return toMonolith(incoming, response, body, {
        [PLACED_ON_HEADER]: 'monolith',
        [KEPT_REASON_HEADER]: translated.keepOnMonolith,
      });
    }
    logger.debug('order to the monolith', {
      customerId: placement.customerId,
      routeSource: source,
    });
    toMonolith(incoming, response, body, { [PLACED_ON_HEADER]: 'monolith' });
  };

  const tooLarge = (incoming: IncomingMessage, response: ServerResponse): void => {
    const doc = problem(
      413,
      'payload-too-large',
      'The request body is too large',
      `An order placement is at most ${options.bodyLimitBytes} bytes`,
    );
    const text = JSON.stringify(doc);
    // Nothing more of the body is read: the connection closes once the answer is out.
    response.writeHead(413, {
      'content-type': PROBLEM_JSON,
      'content-length': Buffer.byteLength(text),
      connection: 'close',
    });
    response.end(text, () => incoming.destroy());
  };

  return (incoming: IncomingMessage, response: ServerResponse): void => {
    const path = (incoming.url ?? '/').split('?')[0];
    const work = async (): Promise<void> => {
      if (incoming.method === 'GET' && path === '/health/live')
        return send(response, 200, { status: 'ok' });
      if (incoming.method === 'GET' && path === '/health/ready') {
        const readiness = await checkReadiness(options.readiness);
        // As every app's readiness: degraded still serves (runtime/src/health.ts).
        return send(response, readiness.status === 'unavailable' ? 503 : 200, readiness, {
          'content-type': 'application/json',
        });
      }
      if (incoming.method === 'POST' && path === '/orders') return placeOrder(incoming, response);
      toMonolith(incoming, response);
    };
    work().catch((error: unknown) => {
      logger.error('facade request failed', { error: String(error), path });
      if (!response.headersSent) {
        sendProblem(
          response,
          problem(500, 'internal-error', 'Internal error', 'See the facade log'),
        );
      } else response.destroy();
    });
  };
}

function forwardedHeaders(
  headers: IncomingHttpHeaders,
  client: string | undefined,
): Record<string, string | string[]> {
  const forwarded: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) forwarded[name] = value;
  }
  if (client) {
    const before = headers['x-forwarded-for'];
    forwarded['x-forwarded-for'] = before ? `${String(before)}, ${client}` : client;
  }
  return forwarded;
}

const joinPath = (base: string, path: string): string => `${base.replace(/\/$/, '')}${path}`;

/**
 * The body, or 'too-large' as soon as it passes `limit`: reading stops there (the stream is
 * paused, not destroyed, so the 413 can still be written on its connection).
 */
function readBody(incoming: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        incoming.off('data', onData);
        incoming.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    incoming.on('data', onData);
    incoming.once('end', () => resolve(Buffer.concat(chunks)));
    incoming.once('error', reject);
  });
}
