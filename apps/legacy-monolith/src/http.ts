/**
 * A tiny JSON router over node:http, problem documents and input readers. Routes are a method and
 * a path pattern (`:name` segments are parameters); handlers return a status and a JSON body or
 * throw a ProblemError. Errors are RFC 7807 documents (`application/problem+json`) with a stable
 * `urn:legacy-monolith:<kind>` type; a bad input names its `field`. Anything unexpected becomes a
 * logged 500, never swallowed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const PROBLEMS = {
  'invalid-request': { status: 400, title: 'The request is not valid' },
  'not-found': { status: 404, title: 'No such resource' },
  'method-not-allowed': { status: 405, title: 'Method not allowed on this resource' },
  'order-exists': { status: 409, title: 'An order with this id already exists' },
  'out-of-stock': { status: 409, title: 'Not enough stock for the order' },
  'invalid-transition': { status: 409, title: 'The order is not in a state that allows this' },
  'handed-over': { status: 409, title: 'This stage of the order is handed over to the platform' },
  'not-handed-over': { status: 409, title: 'This stage of the order is decided by the monolith' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'internal-error': { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'The service is temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemKind = keyof typeof PROBLEMS;

export class ProblemError extends Error {
  readonly status: number;

  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
    this.status = PROBLEMS[kind].status;
  }

  toDocument() {
    const { title, status } = PROBLEMS[this.kind];
    const type = `urn:legacy-monolith:${this.kind}`;
    return { ...this.extensions, type, title, status, detail: this.detail };
  }
}

export const problem = (kind: ProblemKind, detail: string, extensions?: Record<string, unknown>) =>
  new ProblemError(kind, detail, extensions);

export interface Request {
  params: Record<string, string>;
  /** The parsed JSON body; `{}` when there is none. */
  body: unknown;
}

export interface Reply {
  status: number;
  body: unknown;
}

type Method = 'GET' | 'POST' | 'PUT';
export interface Route {
  method: Method;
  segments: string[];
  handler: (request: Request) => Promise<Reply>;
}

export const route = (method: Method, pattern: string, handler: Route['handler']): Route => ({
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
        if (error instanceof ProblemError) return ok(error.toDocument(), error.status);
        logError(`${incoming.method} ${incoming.url} failed`, error);
        return ok(problem('internal-error', 'see the legacy-monolith log').toDocument(), 500);
      })
      .then((reply) => {
        const body = JSON.stringify(reply.body ?? null);
        response.writeHead(reply.status, {
          'content-type': reply.status >= 400 ? 'application/problem+json' : 'application/json',
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-store',
        });
        response.end(body);
      })
      .catch((error: unknown) => logError(`${incoming.method} ${incoming.url}: no reply`, error));
  };
}

async function handle(routes: Route[], incoming: IncomingMessage): Promise<Reply> {
  const { pathname } = new URL(incoming.url ?? '/', 'http://legacy-monolith');
  let segments: string[];
  try {
    segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw problem('invalid-request', `malformed path ${pathname}`);
  }
  const matching = routes.flatMap((candidate) => {
    const params = match(candidate.segments, segments);
    return params ? [{ candidate, params }] : [];
  });
  if (matching.length === 0) throw problem('not-found', `no resource at ${pathname}`);
  const found = matching.find(({ candidate }) => candidate.method === incoming.method);
  if (!found) {
    const allowed = matching.map(({ candidate }) => candidate.method).join(', ');
    throw problem('method-not-allowed', `${incoming.method} ${pathname}: use ${allowed}`);
  }
  const body = incoming.method === 'GET' ? {} : await readJson(incoming);
  return found.candidate.handler({ params: found.params, body });
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

/** Reads a JSON object field by field; each reader names the field it rejects (400). */
export class Input {
  private constructor(
    private readonly fields: Record<string, unknown>,
    private readonly where: string,
  ) {}

  static of(body: unknown, where = ''): Input {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw problem('invalid-request', `${where || 'the body'} must be a JSON object`, {
        field: where || undefined,
      });
    }
    return new Input(body as Record<string, unknown>, where);
  }

  has(name: string): boolean {
    return this.fields[name] !== undefined && this.fields[name] !== null;
  }

  string(name: string): string {
    const value = this.fields[name];
    if (typeof value !== 'string' || value.trim() === '' || value.length > 200) {
      throw this.invalid(name, 'a non-empty string of at most 200 characters');
    }
    return value;
  }

  integer(name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.fields[name];
    if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
      throw this.invalid(name, `an integer from ${min} to ${max}`);
    }
    return value as number;
  }

  boolean(name: string): boolean {
    const value = this.fields[name];
    if (typeof value !== 'boolean') throw this.invalid(name, 'true or false');
    return value;
  }

  oneOf<V extends string>(name: string, allowed: readonly V[]): V {
    const value = this.fields[name];
    if (!allowed.includes(value as V)) throw this.invalid(name, `one of ${allowed.join(', ')}`);
    return value as V;
  }

  strings(name: string): string[] {
    const value = this.fields[name];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw this.invalid(name, 'an array of strings');
    }
    return value as string[];
  }

  currency(name: string): string {
    const value = this.string(name);
    if (!/^[A-Z]{3}$/.test(value)) throw this.invalid(name, 'an ISO 4217 code such as EUR');
    return value;
  }

  /** A nested object, e.g. `divergence`. */
  object(name: string): Input {
    return Input.of(this.fields[name], this.path(name));
  }

  /** A non-empty array of objects, e.g. order items. */
  objects(name: string): Input[] {
    const value = this.fields[name];
    if (!Array.isArray(value) || value.length === 0) throw this.invalid(name, 'a non-empty array');
    return value.map((item, i) => Input.of(item, `${this.path(name)}[${i}]`));
  }

  private path(name: string): string {
    return this.where ? `${this.where}.${name}` : name;
  }

  private invalid(name: string, expected: string): ProblemError {
    const field = this.path(name);
    return problem('invalid-request', `${field} must be ${expected}`, { field });
  }
}
