/** The post-hoc review part of the operator API, as JSON Schema (see orders/order-api.schemas.ts). */
import { POST_HOC_REVIEW_OUTCOMES, POST_HOC_REVIEW_STATUSES } from '@order-platform/domain';
import type { PostHocReviewOutcome, PostHocReviewStatus } from '@order-platform/domain';

const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableText = { type: 'string', nullable: true } as const;

export const POST_HOC_REVIEW_SCHEMA = {
  type: 'object',
  required: ['orderId', 'customerId', 'flag', 'approvedAt', 'openedAt', 'status'],
  properties: {
    orderId: { type: 'string' },
    customerId: { type: 'string' },
    flag: { type: 'string', description: 'Why fraud was approved without a screening' },
    approvedAt: dateTime,
    openedAt: dateTime,
    status: { type: 'string', enum: [...POST_HOC_REVIEW_STATUSES] },
    outcome: { type: 'string', enum: [...POST_HOC_REVIEW_OUTCOMES], nullable: true },
    closedBy: nullableText,
    closedAt: { ...dateTime, nullable: true },
    note: nullableText,
  },
} as const;

export const POST_HOC_REVIEWS_SCHEMA = {
  type: 'object',
  required: ['reviews'],
  properties: { reviews: { type: 'array', items: POST_HOC_REVIEW_SCHEMA } },
} as const;

export const POST_HOC_REVIEWS_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...POST_HOC_REVIEW_STATUSES], default: 'open' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
  },
} as const;

export interface PostHocReviewsQuery {
  status: PostHocReviewStatus;
  limit: number;
}

export const CLOSE_REVIEW_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['outcome', 'note'],
  properties: {
    outcome: { type: 'string', enum: [...POST_HOC_REVIEW_OUTCOMES] },
    note: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' },
  },
} as const;

export interface CloseReviewRequest {
  outcome: PostHocReviewOutcome;
  note: string;
}
