/** The operator task part of the operator API, as JSON Schema (see orders/order-api.schemas.ts). */
import {
  ALL_OPERATOR_TASK_OUTCOMES,
  OPERATOR_TASK_KINDS,
  OPERATOR_TASK_STATUSES,
  type OperatorTaskKind,
  type OperatorTaskOutcome,
  type OperatorTaskStatus,
} from '@order-platform/domain';

const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableText = { type: 'string', nullable: true } as const;

export const OPERATOR_TASK_SCHEMA = {
  type: 'object',
  required: [
    'orderId',
    'kind',
    'subject',
    'customerId',
    'reason',
    'occurredAt',
    'openedAt',
    'status',
  ],
  properties: {
    orderId: { type: 'string' },
    kind: { type: 'string', enum: [...OPERATOR_TASK_KINDS] },
    subject: {
      type: 'string',
      description: '`fraud` (post-hoc-review) or the compensation refused (compensation-failed)',
    },
    customerId: { type: 'string' },
    reason: { type: 'string', description: 'Why it was opened' },
    occurredAt: dateTime,
    openedAt: dateTime,
    status: { type: 'string', enum: [...OPERATOR_TASK_STATUSES] },
    outcome: { type: 'string', enum: [...ALL_OPERATOR_TASK_OUTCOMES], nullable: true },
    closedBy: nullableText,
    closedAt: { ...dateTime, nullable: true },
    note: nullableText,
  },
} as const;

export const OPERATOR_TASKS_SCHEMA = {
  type: 'object',
  required: ['tasks'],
  properties: { tasks: { type: 'array', items: OPERATOR_TASK_SCHEMA } },
} as const;

export const OPERATOR_TASKS_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...OPERATOR_TASK_STATUSES], default: 'open' },
    kind: { type: 'string', enum: [...OPERATOR_TASK_KINDS] },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
  },
} as const;

export interface OperatorTasksQuery {
  status: OperatorTaskStatus;
  kind?: OperatorTaskKind;
  limit: number;
}

export const CLOSE_TASK_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['outcome', 'note'],
  properties: {
    outcome: {
      type: 'string',
      enum: [...ALL_OPERATOR_TASK_OUTCOMES],
      description:
        'post-hoc-review: no-concern, concern-raised; compensation-failed: settled-by-hand, nothing-to-settle',
    },
    note: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' },
  },
} as const;

export interface CloseTaskRequest {
  outcome: OperatorTaskOutcome;
  note: string;
}
