/**
 * The full status of one order: what the workflow's query answers, what the read model stores
 * (guarded by `version`) and what the gateway turns into its responses.
 */
import { type Commitments, type CustomerView, customerViewOf } from './customer-view';
import {
  type CustomerSegment,
  type OrderLine,
  orderTotalMinor,
  type PlacedOrder,
  workflowIdForOrder,
} from './order';
import type { MigrationStage } from './legacy-events';
import type { OrderStage } from './stages';
import type { ReturnView } from './returns';

/** In order of how far a stage has moved from the monolith to the platform. */
export const MIGRATION_ROUTES = ['legacy', 'shadow', 'new'] as const;
export type MigrationRoute = (typeof MIGRATION_ROUTES)[number];

export interface StageTransition {
  stage: OrderStage;
  at: string;
  reason?: string;
}

export interface CompensationRecord {
  name: string;
  /**
   * `failing`: failed so far, tried again later (transient); `failed`: refused for good (a 4xx,
   * a business outcome), not tried again: an operator task is open for it.
   */
  status: 'pending' | 'done' | 'failing' | 'failed';
  /** Rounds tried (each round is a few quick attempts). */
  attempts: number;
  at: string;
  lastError?: string;
}

export interface OrderStatusView {
  orderId: string;
  workflowId: string;
  customerId: string;
  segment: CustomerSegment;
  items: OrderLine[];
  totalMinor: number;
  currency: string;
  expedited: boolean;
  placedAt: string;
  stage: OrderStage;
  stageEnteredAt: string;
  stageDeadline: string | null;
  /** The customer's view as of `asOf`; readers recompute it with their own clock. */
  customer: CustomerView;
  asOf: string;
  commitments: Commitments;
  compensations: CompensationRecord[];
  history: StageTransition[];
  /** Why an operator should look, or '' when nothing needs attention. */
  needsAttention: string;
  /** Platform orders: 'new'. Monolith orders: the least migrated of their stages' routes. */
  migrationRoute: MigrationRoute;
  /** Monolith orders only: who decides each stage, fixed when the order started. */
  stageRoutes?: Record<MigrationStage, MigrationRoute>;
  cancellable: boolean;
  /** Returns requested after dispatch (runs with returns only, once there is one). */
  returns?: ReturnView[];
  /** Increases with every change; a projection never replaces a higher version. */
  version: number;
}

/**
 * The view of an order that was admitted but whose workflow has not projected anything yet:
 * RECEIVED, holding nothing, cancellable. What the workflow itself reports before its first step.
 */
export function admittedOrderView(order: PlacedOrder): OrderStatusView {
  return {
    orderId: order.orderId,
    workflowId: workflowIdForOrder(order.orderId),
    customerId: order.customerId,
    segment: order.segment,
    items: order.items,
    totalMinor: orderTotalMinor(order),
    currency: order.currency,
    expedited: order.expedited,
    placedAt: order.placedAt,
    stage: 'AcceptedForProcessing',
    stageEnteredAt: order.placedAt,
    stageDeadline: null,
    customer: customerViewOf({
      stage: 'AcceptedForProcessing',
      stageEnteredAt: order.placedAt,
      stageDeadline: null,
      commitments: {},
      now: order.placedAt,
    }),
    asOf: order.placedAt,
    commitments: {},
    compensations: [],
    history: [],
    needsAttention: '',
    migrationRoute: 'new',
    cancellable: true,
    version: 0,
  };
}

/** The reason recorded on an order whose workflow never started. */
export const NOT_STARTED_REASON = 'not-started';

/**
 * An order the platform admitted but never started, and now never will: its start kept failing
 * until the intake bound passed (`expired`: REJECTED), or the customer cancelled it first
 * (`cancelled`: CANCELLED). It held nothing and was charged nothing; it cannot be cancelled.
 */
export function unstartedOrderView(
  order: PlacedOrder,
  ending: { outcome: 'expired' | 'cancelled'; at: string },
): OrderStatusView {
  const stage: OrderStage = ending.outcome === 'expired' ? 'Rejected' : 'Cancelled';
  const admitted = admittedOrderView(order);
  return {
    ...admitted,
    stage,
    stageEnteredAt: ending.at,
    customer: customerViewOf({
      stage,
      stageEnteredAt: ending.at,
      stageDeadline: null,
      commitments: {},
      now: ending.at,
    }),
    asOf: ending.at,
    history: [{ stage, at: ending.at, reason: NOT_STARTED_REASON }],
    cancellable: false,
  };
}

/** Whether the view is of an order that never started (see `unstartedOrderView`). */
export const neverStarted = (view: OrderStatusView): boolean =>
  view.version === 0 && view.history.some((step) => step.reason === NOT_STARTED_REASON);
