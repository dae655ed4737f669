/**
 * Errors as RFC 7807 problem documents (`application/problem+json`: type, title, status,
 * detail). Every problem the simulators can answer with is listed here, once, with its status:
 * this table is the error half of the contract the platform's HTTP adapters rely on, and its
 * `urn:simulators:<kind>` types are what they match on.
 */
const PROBLEMS = {
  'invalid-request': { status: 400, title: 'The request is not valid' },
  'idempotency-key-missing': { status: 400, title: 'The Idempotency-Key header is required' },
  'payment-declined': { status: 402, title: 'The payment was declined' },
  'not-found': { status: 404, title: 'No such resource' },
  'method-not-allowed': { status: 405, title: 'Method not allowed on this resource' },
  'out-of-stock': { status: 409, title: 'Not enough stock to reserve' },
  'stock-committed': { status: 409, title: 'Stock is committed to reservations' },
  'already-captured': { status: 409, title: 'The authorization was already captured' },
  'already-dispatched': { status: 409, title: 'The shipment was already dispatched' },
  'shipment-cancelled': { status: 409, title: 'The shipment was cancelled' },
  'not-dispatched': { status: 409, title: 'The shipment has not been dispatched' },
  'reservation-expired': { status: 410, title: 'The reservation expired or was released' },
  'authorization-expired': { status: 410, title: 'The authorization expired or was voided' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'idempotency-key-reused': {
    status: 422,
    title: 'The Idempotency-Key was used for a different request',
  },
  'amount-exceeds-authorization': {
    status: 422,
    title: 'The amount exceeds what is authorized',
  },
  'amount-exceeds-capture': { status: 422, title: 'The amount exceeds what is left to refund' },
  'void-refused': { status: 422, title: 'The authorization cannot be voided' },
  'internal-error': { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'The service is temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemKind = keyof typeof PROBLEMS;

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

/** Thrown by handlers; the router (or the idempotency helper) turns it into the response. */
export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;

  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
    this.status = PROBLEMS[kind].status;
    this.type = `urn:simulators:${kind}`;
  }

  toDocument(): ProblemDocument {
    return {
      ...this.extensions,
      type: this.type,
      title: PROBLEMS[this.kind].title,
      status: this.status,
      detail: this.detail,
    };
  }
}

export const problem = (
  kind: ProblemKind,
  detail: string,
  extensions?: Record<string, unknown>,
): ProblemError => new ProblemError(kind, detail, extensions);
