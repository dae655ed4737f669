/**
 * The strangler's operator API as JSON Schema (see orders/order-api.schemas.ts for the rules):
 * each stage's route, a change of it, and the migration report the promotion guard reads.
 */
import {
  MIGRATION_ROUTES,
  type MigrationRoute,
  ROUTED_STAGES,
  type RoutedStage,
} from '@order-platform/domain';

/** The comparator's verdicts, as stage_comparison.outcome allows them. */
export const COMPARISON_OUTCOMES = [
  'match',
  'mismatch',
  'missing-in-new',
  'missing-in-legacy',
  'duplicate',
  'out-of-order',
] as const;
export type ComparisonOutcome = (typeof COMPARISON_OUTCOMES)[number];

const reasonText = (description: string) =>
  ({ type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S', description }) as const;

const ROUTE_PROPERTIES = {
  stage: {
    type: 'string',
    enum: [...ROUTED_STAGES],
    description:
      'A business stage, or intake (the share of customers the facade sends to the platform)',
  },
  mode: {
    type: 'string',
    enum: [...MIGRATION_ROUTES],
    description:
      'legacy: the monolith decides; shadow: both decide, the new side is only compared; new: the platform decides for newPercent of the orders (the rest stay shadow)',
  },
  newPercent: {
    type: 'integer',
    minimum: 0,
    maximum: 100,
    description: 'In mode new, the share of orders the new side decides, sticky per order',
  },
  updatedAt: { type: 'string', format: 'date-time', nullable: true },
  updatedBy: { type: 'string', nullable: true, description: 'The operator who set it' },
} as const;

const ROUTE_SCHEMA = {
  type: 'object',
  required: ['stage', 'mode', 'newPercent', 'updatedAt', 'updatedBy'],
  properties: ROUTE_PROPERTIES,
} as const;

export const ROUTING_SCHEMA = {
  type: 'object',
  required: ['routes'],
  properties: { routes: { type: 'array', items: ROUTE_SCHEMA } },
} as const;

export interface RouteView {
  stage: RoutedStage;
  mode: MigrationRoute;
  newPercent: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export const ROUTE_CHANGE_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['mode', 'reason'],
  properties: {
    mode: ROUTE_PROPERTIES.mode,
    newPercent: { ...ROUTE_PROPERTIES.newPercent, default: 100 },
    reason: reasonText('Why the route changes (audited)'),
    overrideReason: reasonText(
      'Why to give the new side more orders although the stage does not clear the promotion bar (audited)',
    ),
  },
} as const;

export interface RouteChangeRequest {
  mode: MigrationRoute;
  newPercent?: number;
  reason: string;
  overrideReason?: string;
}

export const ROUTE_CHANGED_SCHEMA = {
  type: 'object',
  required: [...ROUTE_SCHEMA.required, 'auditId'],
  properties: { ...ROUTE_PROPERTIES, auditId: { type: 'string' } },
} as const;

export const MIGRATION_QUERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    strict: {
      type: 'boolean',
      default: false,
      description:
        'For CI: answer 409 (unexcused-mismatches) when any stage has a mismatch no ignore rule excuses in its sample',
    },
  },
} as const;

export interface MigrationQuery {
  strict: boolean;
}

const count = { type: 'integer', minimum: 0 } as const;
const anyJson = { nullable: true, description: 'The value as that side had it (any JSON)' };

export const MIGRATION_REPORT_SCHEMA = {
  type: 'object',
  required: ['asOf', 'bar', 'stages'],
  properties: {
    asOf: { type: 'string', format: 'date-time' },
    bar: {
      type: 'object',
      required: ['minMatchRate', 'minSample'],
      description: 'What a stage must show before the new side takes more of its orders',
      properties: { minMatchRate: { type: 'number' }, minSample: { type: 'integer' } },
    },
    stages: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          ...ROUTE_SCHEMA.required,
          'sampleSize',
          'matchRate',
          'clearsBar',
          'outcomes',
          'excusedMismatches',
          'topDifferences',
          'ignoreRules',
        ],
        properties: {
          ...ROUTE_PROPERTIES,
          sampleSize: {
            ...count,
            description: "The stage's latest comparisons considered: at most bar.minSample",
          },
          matchRate: {
            type: 'number',
            nullable: true,
            description:
              'Share of the sample that matched, mismatches excused by an ignore rule included; null without a sample',
          },
          clearsBar: {
            type: 'boolean',
            description: 'The sample is large enough and its match rate reaches the bar',
          },
          outcomes: {
            type: 'object',
            required: [...COMPARISON_OUTCOMES],
            properties: Object.fromEntries(COMPARISON_OUTCOMES.map((outcome) => [outcome, count])),
          },
          excusedMismatches: {
            ...count,
            description:
              'Mismatches in the sample that an ignore rule excused (part of outcomes.mismatch)',
          },
          topDifferences: {
            type: 'array',
            description: 'The 5 fields that differ most often among the unexcused mismatches',
            items: {
              type: 'object',
              required: ['field', 'count', 'examples'],
              properties: {
                field: { type: 'string' },
                count: { ...count, description: 'Orders in the sample where the field differs' },
                examples: {
                  type: 'array',
                  maxItems: 3,
                  items: {
                    type: 'object',
                    required: ['orderId', 'legacy', 'new'],
                    properties: { orderId: { type: 'string' }, legacy: anyJson, new: anyJson },
                  },
                },
              },
            },
          },
          ignoreRules: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'field', 'reason', 'owner', 'expiresAt', 'hitCount', 'expired'],
              properties: {
                id: { type: 'string' },
                field: { type: 'string' },
                reason: { type: 'string' },
                owner: { type: 'string' },
                expiresAt: { type: 'string', format: 'date-time' },
                hitCount: count,
                expired: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
  },
} as const;
