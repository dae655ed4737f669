/**
 * RFC 7807 problem details: every error the gateway returns is one of these, with a stable `type`
 * a client can switch on, a title, the HTTP status and, for bad input, the fields at fault. Never
 * a stack trace, an internal name or another customer's data.
 */
export interface FieldError {
  /** JSON-path-like: `items[0].quantity`, `shippingAddress.country`, `Idempotency-Key`. */
  field: string;
  message: string;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  /** The request's id (also the `x-request-id` header), to quote to support. */
  requestId?: string;
  /** Members a problem type adds, e.g. the current `quote` of a `price-changed`. */
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const problemType = (slug: string): string => `urn:order-platform:problem:${slug}`;

/** Thrown by handlers and guards; the exception filter turns it into the response. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }

  document(requestId?: string): ProblemDocument {
    return {
      ...this.extensions,
      type: problemType(this.slug),
      title: this.title,
      status: this.status,
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ...(this.errors !== undefined ? { errors: this.errors } : {}),
      ...(requestId !== undefined ? { requestId } : {}),
    };
  }
}

/** A workflow's refusal (written lower case, as validators throw it) as a problem's detail. */
export const asDetail = (refusal: string): string =>
  refusal.charAt(0).toUpperCase() + refusal.slice(1);

export const problems = {
  invalid: (errors: FieldError[]) =>
    new Problem(
      400,
      'invalid-request',
      'The request is not valid',
      errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
    ),
  malformedJson: () =>
    new Problem(400, 'malformed-json', 'The body is not valid JSON', undefined, [
      { field: 'body', message: 'not valid JSON' },
    ]),
  unauthenticated: (detail: string) =>
    new Problem(401, 'unauthenticated', 'Authentication required', detail, undefined, {
      'www-authenticate': 'Bearer realm="order-platform"',
    }),
  forbidden: (detail = 'This path needs a role the token does not have') =>
    new Problem(403, 'forbidden', 'Forbidden', detail),
  orderNotFound: () =>
    // The same answer for "no such order" and "someone else's order": nothing leaks.
    new Problem(
      404,
      'order-not-found',
      'Order not found',
      'There is no such order for this customer',
    ),
  routeNotFound: () => new Problem(404, 'not-found', 'Not found', 'There is no such resource'),
  notFound: (what: string) =>
    new Problem(404, 'not-found', 'Not found', `There is no such ${what}`),
  conflict: (slug: string, detail: string) => new Problem(409, slug, 'Conflict', detail),
  /** The customer expected another total: they confirm the current quote and place again. */
  priceChanged: (detail: string, quote: unknown) =>
    new Problem(409, 'price-changed', 'The price has changed', detail, undefined, {}, { quote }),
  tooLarge: (limit: number) =>
    new Problem(413, 'body-too-large', 'The body is too large', `At most ${limit} bytes`),
  unsupportedMediaType: () =>
    new Problem(415, 'unsupported-media-type', 'Unsupported media type', 'Send application/json'),
  tooManyRequests: (slug: string, detail: string, retryAfterSeconds: number) =>
    new Problem(429, slug, 'Too many requests', detail, undefined, {
      'retry-after': String(retryAfterSeconds),
    }),
  unavailable: (detail: string, retryAfterSeconds: number) =>
    new Problem(503, 'temporarily-unavailable', 'Temporarily unavailable', detail, undefined, {
      'retry-after': String(retryAfterSeconds),
    }),
  internal: () =>
    new Problem(
      500,
      'internal-error',
      'Internal error',
      'Something went wrong on our side; quote the requestId to support',
    ),
};
