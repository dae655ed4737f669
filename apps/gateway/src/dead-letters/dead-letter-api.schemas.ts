/** The dead-letter part of the operator API, as JSON Schema (see orders/order-api.schemas.ts). */
import { DEAD_LETTER_STATUSES, type DeadLetterStatus } from '@order-platform/stores';

const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableText = { type: 'string', nullable: true } as const;
const nullableInteger = { type: 'integer', nullable: true } as const;

const REPLAY_EVENT_SCHEMA = {
  type: 'object',
  required: ['event', 'at'],
  properties: {
    event: { type: 'string', enum: ['replayed', 'failed-again'] },
    at: dateTime,
    by: { type: 'string' },
    reason: { type: 'string' },
    deadLetterId: { type: 'string', description: 'failed-again: the new dead letter' },
  },
} as const;

const SUMMARY_PROPERTIES = {
  id: { type: 'string' },
  sourceTopic: { ...nullableText, description: 'Null for the mirror’s: not replayable' },
  sourcePartition: nullableInteger,
  sourceOffset: nullableText,
  dlqTopic: { type: 'string' },
  consumer: { type: 'string', description: 'Who gave up on it' },
  class: { type: 'string', description: 'poison, bad or unclassified' },
  reason: { type: 'string' },
  attempts: nullableInteger,
  eventId: nullableText,
  key: nullableText,
  failedAt: dateTime,
  status: { type: 'string', enum: [...DEAD_LETTER_STATUSES] },
  replayOf: { ...nullableText, description: 'The dead letter this one came back from' },
  replays: { type: 'array', items: REPLAY_EVENT_SCHEMA },
} as const;

export const DEAD_LETTER_SUMMARY_SCHEMA = {
  type: 'object',
  required: ['id', 'dlqTopic', 'consumer', 'class', 'reason', 'failedAt', 'status', 'replays'],
  properties: SUMMARY_PROPERTIES,
} as const;

export const DEAD_LETTER_SCHEMA = {
  type: 'object',
  required: [...DEAD_LETTER_SUMMARY_SCHEMA.required, 'value', 'valueBytes', 'headers'],
  properties: {
    ...SUMMARY_PROPERTIES,
    dlqPartition: { type: 'integer' },
    dlqOffset: { type: 'string' },
    indexedAt: dateTime,
    value: { ...nullableText, description: 'The message as text (UTF-8)' },
    valueBytes: { type: 'integer' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

export const DEAD_LETTERS_SCHEMA = {
  type: 'object',
  required: ['deadLetters', 'nextBefore'],
  properties: {
    deadLetters: { type: 'array', items: DEAD_LETTER_SUMMARY_SCHEMA },
    nextBefore: { ...nullableText, description: 'Pass as `before` for the next page' },
  },
} as const;

export const DEAD_LETTERS_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    topic: { type: 'string', minLength: 1, maxLength: 200, description: 'The source topic' },
    reason: { type: 'string', minLength: 1, maxLength: 200, description: 'Text in the reason' },
    status: { type: 'string', enum: [...DEAD_LETTER_STATUSES] },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    before: { type: 'string', pattern: '^[0-9]{1,18}$' },
  },
} as const;

export interface DeadLettersQuery {
  topic?: string;
  reason?: string;
  status?: DeadLetterStatus;
  limit: number;
  before?: string;
}

export const REPLAY_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  description: 'Either ids, or all (parked dead letters matching the filter, up to 500)',
  properties: {
    ids: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      items: { type: 'string', pattern: '^[0-9]{1,18}$' },
    },
    all: {
      type: 'object',
      additionalProperties: false,
      properties: {
        topic: { type: 'string', minLength: 1, maxLength: 200 },
        reasonContains: { type: 'string', minLength: 1, maxLength: 200 },
      },
    },
    reason: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' },
  },
} as const;

export interface ReplayRequest {
  ids?: string[];
  all?: { topic?: string; reasonContains?: string };
  reason: string;
}

export const REPLAY_OUTCOME_SCHEMA = {
  type: 'object',
  required: ['replayed', 'notFound', 'notReplayable'],
  properties: {
    replayed: { type: 'array', items: { type: 'string' } },
    notFound: { type: 'array', items: { type: 'string' } },
    notReplayable: { type: 'array', items: { type: 'string' } },
  },
} as const;
