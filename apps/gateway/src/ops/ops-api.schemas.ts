/** The operator API's contract as JSON Schema (see orders/order-api.schemas.ts for the rules). */
import { ORDER_STAGES } from '@order-platform/domain';
import { OPEN_STAGES } from './backlog.service';

const nullableNumber = { type: 'number', nullable: true } as const;

export const BACKLOG_SCHEMA = {
  type: 'object',
  required: ['asOf', 'stages'],
  properties: {
    asOf: { type: 'string', format: 'date-time' },
    stages: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'stage',
          'count',
          'oldestAgeSeconds',
          'p50AgeSeconds',
          'p95AgeSeconds',
          'overdueCount',
          'overduePercent',
          'summary',
        ],
        properties: {
          stage: { type: 'string', enum: [...ORDER_STAGES] },
          count: { type: 'integer' },
          oldestAgeSeconds: nullableNumber,
          p50AgeSeconds: nullableNumber,
          p95AgeSeconds: nullableNumber,
          overdueCount: { type: 'integer' },
          overduePercent: { type: 'number' },
          summary: { type: 'string' },
        },
      },
    },
  },
} as const;

export const STUCK_ORDERS_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    stage: { type: 'string', enum: [...OPEN_STAGES] },
    overdue: {
      type: 'boolean',
      default: false,
      description: 'Only orders past the stage deadline',
    },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
} as const;

export interface StuckOrdersQuery {
  stage?: (typeof OPEN_STAGES)[number];
  overdue: boolean;
  limit: number;
}

export const STUCK_ORDERS_SCHEMA = {
  type: 'object',
  required: ['orders', 'temporalUi'],
  properties: {
    temporalUi: {
      type: 'string',
      description: 'The same selection in the Temporal Web UI (search attributes)',
    },
    orders: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'orderId',
          'customerId',
          'stage',
          'stageEnteredAt',
          'stageDeadline',
          'overdueSeconds',
          'needsAttention',
          'expedited',
          'links',
        ],
        properties: {
          orderId: { type: 'string' },
          customerId: { type: 'string' },
          stage: { type: 'string', enum: [...ORDER_STAGES] },
          stageEnteredAt: { type: 'string', format: 'date-time' },
          stageDeadline: { type: 'string', format: 'date-time', nullable: true },
          overdueSeconds: { type: 'number' },
          needsAttention: { type: 'string', nullable: true },
          expedited: { type: 'boolean' },
          links: {
            type: 'object',
            required: ['temporalUi'],
            properties: { temporalUi: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

export const REVIEW_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['decision', 'note'],
  properties: {
    decision: { type: 'string', enum: ['approve', 'reject'] },
    note: { type: 'string', minLength: 1, maxLength: 1000 },
  },
} as const;

export interface ReviewRequest {
  decision: 'approve' | 'reject';
  note: string;
}

export const REVIEW_RECORDED_SCHEMA = {
  type: 'object',
  required: ['orderId', 'decision', 'operatorId', 'auditId'],
  properties: {
    orderId: { type: 'string' },
    decision: { type: 'string', enum: ['approve', 'reject'] },
    operatorId: { type: 'string' },
    auditId: { type: 'string' },
  },
} as const;

export const BACKLOG_HISTORY_SCHEMA = {
  type: 'object',
  required: ['intervalMs', 'samples'],
  properties: {
    intervalMs: { type: 'integer' },
    samples: {
      type: 'array',
      items: {
        type: 'object',
        required: ['at', 'stages'],
        properties: {
          at: { type: 'string', format: 'date-time' },
          stages: {
            type: 'array',
            items: {
              type: 'object',
              required: ['stage', 'count', 'overdueCount'],
              properties: {
                stage: { type: 'string', enum: [...ORDER_STAGES] },
                count: { type: 'integer' },
                overdueCount: { type: 'integer' },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const OPEN_RETURNS_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    overdue: {
      type: 'boolean',
      default: false,
      description: 'Only returns whose parcel was due and that are still open',
    },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', maxLength: 200, description: 'The `nextCursor` of the last page' },
  },
} as const;

export interface OpenReturnsQuery {
  overdue: boolean;
  limit: number;
  cursor?: string;
}

export const OPEN_RETURNS_SCHEMA = {
  type: 'object',
  required: ['returns', 'nextCursor', 'temporalUi'],
  properties: {
    temporalUi: {
      type: 'string',
      description: 'The orders with such returns in the Temporal Web UI (search attributes)',
    },
    nextCursor: { type: 'string', nullable: true, description: 'Pass as `cursor` for more' },
    returns: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'orderId',
          'customerId',
          'returnId',
          'state',
          'lines',
          'requestedAt',
          'parcelDueBy',
          'overdue',
          'overdueSeconds',
          'needsAttention',
          'links',
        ],
        properties: {
          orderId: { type: 'string' },
          customerId: { type: 'string' },
          returnId: { type: 'string' },
          state: {
            type: 'string',
            enum: ['authorized', 'received'],
            description: 'authorized: waiting for the parcel; received: back, refund not yet done',
          },
          lines: {
            type: 'array',
            items: {
              type: 'object',
              required: ['sku', 'quantity', 'refund'],
              properties: {
                sku: { type: 'string' },
                quantity: { type: 'integer' },
                refund: { type: 'integer', description: 'In minor units' },
              },
            },
          },
          requestedAt: { type: 'string', format: 'date-time' },
          parcelDueBy: { type: 'string', format: 'date-time' },
          overdue: { type: 'boolean', description: 'Still open after its parcel was due' },
          overdueSeconds: { type: 'number' },
          needsAttention: { type: 'string', nullable: true },
          links: {
            type: 'object',
            required: ['temporalUi'],
            properties: { temporalUi: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;
