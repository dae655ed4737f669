/**
 * A tiny JSON router over node:http: routes are a method and a path pattern (`:name` segments
 * are parameters); handlers take the parsed request and return a status and a JSON body, or
 * throw a ProblemError. Error responses (status >= 400) are problem documents. Anything
 * unexpected becomes a 500 problem and is logged, never swallowed.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { problem, ProblemError } from './problem';

export type Method = 'GET' | 'POST' | 'PUT';

export interface Request {
  method: Method;
  /** The path without the query string, e.g. `/warehouse/reservations/r-1/allocate`. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; `{}` when there is none. */
  body: unknown;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: Request) => Promise<Reply>;

export interface Route {
  method: Method;
  segments: string[];
  handler: Handler;
}

export const route = (method: Method, pattern: string, handler: Handler): Route => ({
  method,
  segments: pattern.split('/').filter(Boolean),
  handler,
});

export const ok = (body: unknown, status = 200): Reply => ({ status, body });

/** Request bodies here are small JSON documents; anything larger is a mistake. */
const MAX_BODY_BYTES = 1_000_000;

export function createRouter(
  routes: Route[],
  logError: (message: string, error: unknown) => void,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (incoming, response) => {
    handle(routes, incoming)
      .catch((error: unknown) => {
        if (error instanceof ProblemError)
          return { status: error.status, body: error.toDocument() };
        logError(`${incoming.method} ${incoming.url} failed`, error);
        return {
          status: 500,
          body: problem('internal-error', 'see the simulators log').toDocument(),
        };
      })
      .then((reply) => send(response, reply))
      .catch((error: unknown) => logError(`${incoming.method} ${incoming.url}: no reply`, error));
  };
}

async function handle(routes: Route[], incoming: IncomingMessage): Promise<Reply> {
  const url = new URL(incoming.url ?? '/', 'http://simulators');
  const segments = url.pathname.split('/').filter(Boolean).map(decodeSegment);
  const matching = routes
    .map((candidate) => ({ candidate, params: match(candidate.segments, segments) }))
    .filter(({ params }) => params !== undefined);
  if (matching.length === 0) throw problem('not-found', `no resource at ${url.pathname}`);
  const found = matching.find(({ candidate }) => candidate.method === incoming.method);
  if (!found) {
    const allowed = matching.map(({ candidate }) => candidate.method).join(', ');
    throw problem('method-not-allowed', `${incoming.method} ${url.pathname}: use ${allowed}`);
  }
  return found.candidate.handler({
    method: found.candidate.method,
    path: url.pathname,
    params: found.params ?? {},
    query: url.searchParams,
    headers: incoming.headers,
    body: incoming.method === 'GET' ? {} : await readJson(incoming),
  });
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw problem('invalid-request', `malformed path segment "${segment}"`);
  }
}

function match(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

async function readJson(incoming: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw problem('payload-too-large', `over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw problem('invalid-request', 'the body is not JSON');
  }
}

function send(response: ServerResponse, reply: Reply): void {
  const body = JSON.stringify(reply.body ?? null);
  response.writeHead(reply.status, {
    'content-type': reply.status >= 400 ? 'application/problem+json' : 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...reply.headers,
  });
  response.end(body);
}
