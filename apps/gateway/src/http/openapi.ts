/** OpenAPI decorators for the gateway's JSON Schemas, so each route documents what it returns. */
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem';

export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', description: 'urn:order-platform:problem:<kind>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
    quote: {
      type: 'object',
      description: '`price-changed` only: the current quote, as `POST /v1/quotes` answers it',
    },
  },
} as const;

const PROBLEMS: Record<number, string> = {
  400: 'Bad input; `errors` names each field at fault',
  401: 'Missing, expired or invalid bearer token',
  403: 'The token lacks the role this path needs',
  404: 'Not found (an order: none for this caller)',
  409: 'Conflict with the current state (the detail says why; `price-changed` carries the current `quote`)',
  413: 'The body is larger than the limit',
  415: 'The body is not application/json',
  422: 'Understood but cannot be processed (the detail says why)',
  429: 'Admission refused (backlog or rate limit): retry after `Retry-After` seconds',
  503: 'A dependency is unavailable: retry after `Retry-After` seconds',
};

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
};

type Schema = Record<string, unknown>;

export const ApiProblems = (...statuses: (keyof typeof PROBLEMS)[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEMS[status],
        content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_SCHEMA as Schema } },
        ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      }),
    ),
  );

export const ApiJsonResponse = (
  status: number,
  description: string,
  schema: object,
  headers?: Record<string, { description: string; schema: Schema }>,
) =>
  ApiResponse({
    status,
    description,
    content: { 'application/json': { schema: schema as Schema } },
    ...(headers ? { headers } : {}),
  });

export const ApiJsonBody = (schema: object) =>
  ApiBody({ required: true, schema: schema as Schema });

/** One documented query parameter per property of a query schema (the one the validator uses). */
export const ApiQueryParameters = (schema: { properties: Record<string, object> }) =>
  applyDecorators(
    ...Object.entries(schema.properties).map(([name, property]) =>
      ApiQuery({ name, required: false, schema: property as Schema }),
    ),
  );
