/** The degraded-modes part of the operator API, as JSON Schema (see orders/order-api.schemas.ts). */
import {
  CUSTOMER_SEGMENTS,
  DEGRADED_MODE_NAMES,
  type DegradedModeConfig,
} from '@order-platform/domain';

const dateTime = { type: 'string', format: 'date-time' } as const;
const threshold = {
  type: 'object',
  additionalProperties: false,
  required: ['overdueCount', 'overdueShare'],
  properties: {
    overdueCount: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    overdueShare: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;
const segments = {
  type: 'array',
  maxItems: CUSTOMER_SEGMENTS.length,
  uniqueItems: true,
  items: { type: 'string', enum: [...CUSTOMER_SEGMENTS] },
} as const;
const milliseconds = { type: 'integer', minimum: 0, maximum: 7 * 86_400_000 } as const;

export const DEGRADED_MODE_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: [
    'enabled',
    'fraudTargetMs',
    'enterWhen',
    'exitWhen',
    'minWaiting',
    'minActiveMs',
    'approveWithFlagSegments',
    'highValueToManualReview',
    'deferPaymentSegments',
    'deferredFraudSlaMs',
  ],
  properties: {
    enabled: { type: 'boolean' },
    fraudTargetMs: {
      ...milliseconds,
      description: 'A fraud decision counts as overdue once an order has waited this long',
    },
    enterWhen: { ...threshold, description: 'On when the overdue count or share reaches this' },
    exitWhen: { ...threshold, description: 'Off when both are back at or below this' },
    minWaiting: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    minActiveMs: milliseconds,
    approveWithFlagSegments: segments,
    highValueToManualReview: { type: 'boolean' },
    deferPaymentSegments: segments,
    deferredFraudSlaMs: { ...milliseconds, minimum: 1 },
  },
} as const;

export const CONFIGURE_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['config', 'reason'],
  properties: {
    config: DEGRADED_MODE_CONFIG_SCHEMA,
    reason: { type: 'string', minLength: 3, maxLength: 500, description: 'Kept in the audit' },
  },
} as const;

const backlog = {
  type: 'object',
  nullable: true,
  required: ['waiting', 'overdue'],
  properties: { waiting: { type: 'integer' }, overdue: { type: 'integer' } },
} as const;

export const DEGRADED_MODE_SCHEMA = {
  type: 'object',
  required: ['name', 'config', 'active', 'reason', 'changedAt', 'measured', 'measuredAt'],
  properties: {
    name: { type: 'string', enum: [...DEGRADED_MODE_NAMES] },
    config: DEGRADED_MODE_CONFIG_SCHEMA,
    active: { type: 'boolean' },
    reason: { type: 'string', nullable: true, description: 'Why it last switched' },
    changedAt: dateTime,
    measured: { ...backlog, description: 'The fraud backlog the monitor last measured' },
    measuredAt: { ...dateTime, nullable: true },
  },
} as const;

export const DEGRADED_MODES_SCHEMA = {
  type: 'object',
  required: ['modes', 'changes', 'circuits'],
  properties: {
    circuits: {
      type: 'array',
      description:
        "Each live worker's circuit breakers (per process: each learns from its own calls), by worker",
      items: {
        type: 'object',
        required: ['workerId', 'circuit', 'state', 'why', 'changedAt', 'reportedAt'],
        properties: {
          workerId: { type: 'string', description: 'host/pid of the worker process' },
          circuit: { type: 'string', enum: ['fraud'] },
          state: { type: 'string', enum: ['closed', 'open', 'half-open'] },
          why: { type: 'string', description: 'Why it last changed' },
          changedAt: dateTime,
          reportedAt: dateTime,
        },
      },
    },
    modes: { type: 'array', items: DEGRADED_MODE_SCHEMA },
    changes: {
      type: 'array',
      description: 'The latest switches and configuration changes, newest first (the audit)',
      items: {
        type: 'object',
        required: ['at', 'by', 'action', 'mode', 'details'],
        properties: {
          at: dateTime,
          by: { type: 'string' },
          action: {
            type: 'string',
            enum: ['degraded-mode.on', 'degraded-mode.off', 'degraded-mode.configure'],
          },
          mode: { type: 'string' },
          details: { type: 'object' },
        },
      },
    },
  },
} as const;

export interface ConfigureRequest {
  config: DegradedModeConfig;
  reason: string;
}
