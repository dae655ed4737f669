/** The operator API's contract as JSON Schema (see orders/order-api.schemas.ts for the rules). */
import { NOTIFICATION_KINDS, ORDER_STAGES } from '@order-platform/domain';
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
    minAgeSeconds: {
      type: 'integer',
      minimum: 0,
      maximum: 31_536_000,
      description: 'Only orders at least this long in their stage',
    },
    attention: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      pattern: '^[A-Za-z0-9:-]+$',
      description:
        'Only orders whose needsAttention starts with this, e.g. ManualReview or CompensationFailing',
    },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', maxLength: 200, description: 'The `nextCursor` of the last page' },
  },
} as const;

export interface StuckOrdersQuery {
  stage?: (typeof OPEN_STAGES)[number];
  overdue: boolean;
  minAgeSeconds?: number;
  attention?: string;
  limit: number;
  cursor?: string;
}

export const STUCK_ORDERS_SCHEMA = {
  type: 'object',
  required: ['orders', 'temporalUi', 'nextCursor'],
  properties: {
    nextCursor: { type: 'string', nullable: true, description: 'Pass as `cursor` for more' },
    temporalUi: {
      type: 'string',
      description:
        'The same stage and overdue selection in the Temporal Web UI (search attributes; without minAgeSeconds and attention)',
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

const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { ...dateTime, nullable: true } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

export const ORDER_DETAIL_SCHEMA = {
  type: 'object',
  required: ['order', 'notifications', 'comparisons', 'audit', 'tasks', 'findings', 'links'],
  properties: {
    order: {
      type: 'object',
      description: 'The order as the read model holds it (as last projected by its workflow)',
      required: [
        'orderId',
        'customerId',
        'segment',
        'status',
        'stage',
        'stageEnteredAt',
        'stageDeadline',
        'placedAt',
        'totalMinor',
        'currency',
        'expedited',
        'items',
        'history',
        'commitments',
        'compensations',
        'needsAttention',
        'migrationRoute',
        'cancellable',
        'asOf',
      ],
      properties: {
        orderId: { type: 'string' },
        customerId: { type: 'string' },
        segment: { type: 'string' },
        status: { type: 'string', description: 'What the customer is told now' },
        stage: { type: 'string', enum: [...ORDER_STAGES] },
        stageEnteredAt: dateTime,
        stageDeadline: nullableDateTime,
        placedAt: dateTime,
        totalMinor: { type: 'integer' },
        currency: { type: 'string' },
        expedited: { type: 'boolean' },
        items: { type: 'array', items: anyObject },
        history: {
          type: 'array',
          description: 'The lifecycle: every stage the order entered, when, and why',
          items: {
            type: 'object',
            required: ['stage', 'at'],
            properties: {
              stage: { type: 'string', enum: [...ORDER_STAGES] },
              at: dateTime,
              reason: { type: 'string' },
            },
          },
        },
        commitments: {
          ...anyObject,
          description: 'What it holds now: fraud approval, reservation, authorization, shipment',
        },
        compensations: { type: 'array', items: anyObject },
        returns: { type: 'array', items: anyObject },
        needsAttention: { type: 'string' },
        migrationRoute: { type: 'string', enum: ['legacy', 'shadow', 'new'] },
        stageRoutes: { ...anyObject, description: 'Monolith orders: who decides each stage' },
        cancellable: { type: 'boolean' },
        asOf: dateTime,
      },
    },
    notifications: {
      type: 'array',
      description:
        'What the platform told the customer, in the order it was sent: each notification once, however often its sending was retried; no address, name or message text',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'returnId', 'channel', 'sentAt', 'notificationId', 'idempotencyKey'],
        properties: {
          kind: { type: 'string', enum: [...NOTIFICATION_KINDS] },
          returnId: {
            type: 'string',
            nullable: true,
            description: "For a return's kinds, the return it is about",
          },
          channel: { type: 'string', description: 'How the notifier reached the customer' },
          sentAt: { ...dateTime, description: 'When the platform recorded it sent' },
          notificationId: { type: 'string', description: "The notifier's id for it" },
          idempotencyKey: {
            type: 'string',
            description:
              'What the notifier delivers once by: `<workflowId>/notify-<kind>[-<returnId>]`',
          },
        },
      },
    },
    comparisons: {
      type: 'array',
      description: "Monolith orders: each stage's comparison of the two sides' decisions",
      items: {
        type: 'object',
        required: [
          'stage',
          'subject',
          'outcome',
          'differences',
          'legacy',
          'new',
          'excused',
          'comparedAt',
        ],
        properties: {
          stage: { type: 'string' },
          subject: {
            type: 'string',
            description: "What of the stage: '' when it decides once, the kind for notification",
          },
          outcome: { type: 'string' },
          differences: { nullable: true },
          legacy: { nullable: true },
          new: { nullable: true },
          excused: { type: 'boolean', description: 'An ignore rule excused the mismatch' },
          comparedAt: dateTime,
        },
      },
    },
    audit: {
      type: 'array',
      description: 'What operators did to this order, newest first',
      items: {
        type: 'object',
        required: ['id', 'at', 'operatorId', 'action', 'details'],
        properties: {
          id: { type: 'string' },
          at: dateTime,
          operatorId: { type: 'string' },
          action: { type: 'string' },
          details: anyObject,
        },
      },
    },
    tasks: { type: 'array', items: anyObject, description: 'Its operator tasks, open or closed' },
    findings: { type: 'array', items: anyObject, description: 'Its reconciliation findings' },
    links: {
      type: 'object',
      required: ['temporalUi'],
      properties: { temporalUi: { type: 'string' } },
    },
  },
} as const;

export const CANCEL_FOR_CUSTOMER_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: {
    reason: {
      type: 'string',
      minLength: 1,
      maxLength: 1000,
      pattern: '\\S',
      description: 'Why the operator cancels for the customer (audited)',
    },
  },
} as const;

export interface CancelForCustomerRequest {
  reason: string;
}

export const CANCELLED_FOR_CUSTOMER_SCHEMA = {
  type: 'object',
  required: ['orderId', 'outcome', 'status', 'detail', 'operatorId', 'auditId'],
  properties: {
    orderId: { type: 'string' },
    outcome: {
      type: 'string',
      enum: ['cancelled', 'cancelling', 'pending'],
      description:
        'cancelled: done; cancelling: accepted, compensations still run; pending: sent, not yet taken up by the order (send it again for the outcome)',
    },
    status: { type: 'string', nullable: true, description: 'What the customer is told now' },
    detail: { type: 'string' },
    operatorId: { type: 'string' },
    auditId: { type: 'string' },
  },
} as const;
