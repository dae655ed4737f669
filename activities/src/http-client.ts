/**
 * The one JSON-over-HTTP client the downstream adapters share (global fetch). Every request has
 * a deadline (AbortSignal.timeout) combined with the caller's signal, so an activity that is
 * cancelled stops waiting at once; a change carries the step's `Idempotency-Key`, so a retry is
 * recognised by the service. An error response becomes an HttpProblemError carrying the
 * status and the RFC 7807 problem `type` the adapters map to business outcomes; a network
 * failure or a missed deadline is a plain Error (transient: Temporal retries it).
 */
export class HttpProblemError extends Error {
  constructor(
    readonly status: number,
    /** The problem's `type` URI (`about:blank` when the body was not a problem document). */
    readonly type: string,
    readonly title: string,
    readonly detail: string | undefined,
    /** Where it came from, e.g. `POST http://127.0.0.1:3400/warehouse/reservations`. */
    readonly request: string,
  ) {
    super(`${request}: ${status} ${type}${detail ? ` (${detail})` : ` (${title})`}`);
    this.name = 'HttpProblemError';
  }
}

export interface HttpClientOptions {
  /** How long one request may take, body included, before it is abandoned. */
  timeoutMs?: number;
}

export interface RequestOptions {
  idempotencyKey?: string;
  /** The caller's cancellation (e.g. Temporal's `Context.current().cancellationSignal`). */
  signal?: AbortSignal;
  timeoutMs?: number;
}

type Method = 'GET' | 'POST' | 'PUT';

/** Downstream calls are quick; a slow one is a failure to retry, not something to wait for. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export class JsonHttpClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, options: HttpClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, undefined, options);
  }

  post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, body, options);
  }

  put<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, body, options);
  }

  private async request<T>(
    method: Method,
    path: string,
    body: unknown,
    options: RequestOptions,
  ): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    const what = `${method} ${url}`;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;

    let status: number;
    let statusText: string;
    let contentType: string;
    let text: string;
    try {
      const response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      ({ status, statusText } = response);
      contentType = response.headers.get('content-type') ?? '';
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw abortReason(options.signal, what);
      if (deadline.aborted) throw new Error(`${what}: no answer within ${timeoutMs} ms`);
      throw new Error(`${what}: ${describe(error)}`, { cause: error });
    }
    if (status < 200 || status >= 300)
      throw problemFrom(what, status, statusText, contentType, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

/**
 * A `.catch` handler: turns the problem types listed into the caller's errors (the business
 * outcomes), and rethrows anything else as it is.
 */
export const mapProblems =
  (outcomes: Record<string, (message: string) => Error>) =>
  (error: unknown): never => {
    if (error instanceof HttpProblemError) {
      const raise = outcomes[error.type];
      if (raise) throw raise(error.detail ?? error.title);
    }
    throw error;
  };

function problemFrom(
  what: string,
  status: number,
  statusText: string,
  contentType: string,
  text: string,
): HttpProblemError {
  let document: Record<string, unknown> | undefined;
  if (contentType.includes('json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') document = parsed as Record<string, unknown>;
    } catch {
      // Not JSON after all: reported below with the raw text as the detail.
    }
  }
  if (!document) {
    return new HttpProblemError(status, 'about:blank', statusText, text.slice(0, 500), what);
  }
  const field = (name: string): string | undefined =>
    typeof document[name] === 'string' ? (document[name] as string) : undefined;
  return new HttpProblemError(
    status,
    field('type') ?? 'about:blank',
    field('title') ?? statusText,
    field('detail'),
    what,
  );
}

/** The caller cancelled: surface its reason (Temporal's CancelledFailure) so it is reported as such. */
function abortReason(signal: AbortSignal, what: string): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new Error(`${what}: aborted by the caller`);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
