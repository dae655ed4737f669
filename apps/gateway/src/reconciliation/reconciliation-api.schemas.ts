/** The reconciliation part of the operator API, as JSON Schema (see orders/order-api.schemas.ts). */
import { DIFFERENCE_KINDS, RECONCILIATION_GRACE_FLOOR_MS } from '@order-platform/domain';
import { ORDER_ID_PATTERN } from '../orders/order-api.schemas';

const FINDING_STATUSES = ['open', 'repaired', 'resolved'] as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableText = { type: 'string', nullable: true } as const;

export const FINDING_SCHEMA = {
  type: 'object',
  required: ['id', 'orderId', 'kind', 'subject', 'detail', 'status', 'runId', 'foundAt'],
  properties: {
    id: { type: 'string' },
    orderId: { type: 'string' },
    kind: { type: 'string', enum: [...DIFFERENCE_KINDS] },
    subject: { type: 'string' },
    detail: { type: 'string' },
    status: { type: 'string', enum: [...FINDING_STATUSES] },
    repair: { type: 'object', nullable: true },
    runId: { type: 'string' },
    foundAt: dateTime,
    resolvedBy: nullableText,
    resolvedAt: { ...dateTime, nullable: true },
    note: nullableText,
  },
} as const;

export const FINDINGS_SCHEMA = {
  type: 'object',
  required: ['findings'],
  properties: { findings: { type: 'array', items: FINDING_SCHEMA } },
} as const;

export const FINDINGS_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...FINDING_STATUSES], default: 'open' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
  },
} as const;

export interface FindingsQuery {
  status: (typeof FINDING_STATUSES)[number];
  limit: number;
}

export const RESOLVE_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['note'],
  properties: { note: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' } },
} as const;

/** The domain's floor of reconciliation's grace, in the API's unit. */
export const GRACE_FLOOR_SECONDS = RECONCILIATION_GRACE_FLOOR_MS / 1000;

export const RUN_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    orderId: { type: 'string', pattern: ORDER_ID_PATTERN },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    graceSeconds: {
      type: 'integer',
      minimum: GRACE_FLOOR_SECONDS,
      maximum: 86_400,
      description: `Holds younger than this are left alone (at least ${GRACE_FLOOR_SECONDS}). The run never judges a hold inside the minimum the worker derives from the order workflow's step timeouts (per kind of hold), which is also the default; its summary's \`grace\` says what it used`,
    },
    ordersPerSecond: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      description: 'Pace (default 20)',
    },
  },
} as const;

export interface RunRequest {
  orderId?: string;
  from?: string;
  to?: string;
  graceSeconds?: number;
  ordersPerSecond?: number;
}

export const RUN_SCHEMA = {
  type: 'object',
  required: ['runId', 'status', 'links'],
  properties: {
    runId: { type: 'string' },
    status: { type: 'string', enum: ['running', 'completed', 'failed'] },
    summary: {
      type: 'object',
      nullable: true,
      properties: {
        grace: {
          type: 'object',
          description:
            'The grace the run judged with, per kind of hold (runs started before it was per kind do not say)',
          properties: {
            authorizationMs: { type: 'integer' },
            reservationMs: { type: 'integer' },
          },
        },
        inspected: { type: 'integer' },
        repaired: { type: 'integer' },
        queued: { type: 'integer' },
        examples: { type: 'array', items: { type: 'object' } },
      },
    },
    links: { type: 'object', required: ['self'], properties: { self: { type: 'string' } } },
  },
} as const;

export const RUN_ID_PATTERN = '^reconciliation-[A-Za-z0-9-]{1,64}$';
