/**
 * The order recorder: everything a workflow following an order knows about it (stage,
 * commitments, compensations, history, attention), and the one way to change it. `record` is
 * I/O, and named so: it applies a change, bumps the version, keeps the history, upserts the
 * search attributes operators query, publishes the lifecycle events and projects the status
 * view into the read model, in that order. State and its recording stay one object because a
 * change nobody can see (not queryable, not published) is a bug: they must not drift apart.
 * Commitments are set directly by the stage that takes or gives them up, then recorded.
 */
import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import {
  cancellationRefusal,
  type Commitments,
  type CompensationRecord,
  customerViewOf,
  lifecycleEvent,
  type LifecycleEventType,
  type MigrationRoute,
  type MigrationStage,
  NO_CANCELLATION_FACTS,
  type OrderStage,
  type OrderStatusView,
  orderTotalMinor,
  type PlacedOrder,
  type ReturnView,
  type StageTransition,
} from '@order-platform/domain';
import { mustHappen, recordLocally } from './activities';
import { RECORD_AS_LOCAL_ACTIVITY, RECORD_IN_ONE_ACTIVITY, type RunChanges } from './changes';
import { orderSearchAttributes } from './search-attributes';

/** Workflow time (epoch ms) as the ISO 8601 the views and events carry. */
export const iso = (ms: number): string => new Date(ms).toISOString();

export interface Change {
  stage?: OrderStage;
  /** Epoch ms the new stage should be over by; null for stages that do not wait. */
  deadline?: number | null;
  reason?: string;
  events?: { type: LifecycleEventType; payload?: Record<string, unknown> }[];
  needsAttention?: string;
}

/**
 * What a recorder knows, carried into the next run when an order continues as new (a long
 * undoing), so the new run goes on recording where the last one stopped: the same stage and
 * history, versions that keep rising for the read model, event sequences that never repeat.
 */
export interface RecorderState {
  stage: OrderStage;
  stageEnteredAt: number;
  stageDeadline: number | null;
  commitments: Commitments;
  compensations: CompensationRecord[];
  history: StageTransition[];
  needsAttention: string;
  version: number;
  sequence: number;
}

export class OrderRecorder {
  /** Which of the workflow's changes the run has (changes.ts); monolith orders ask each patch. */
  changes: RunChanges = patched;
  stage: OrderStage = 'AcceptedForProcessing';
  stageEnteredAt: number;
  stageDeadline: number | null = null;
  commitments: Commitments = {};
  compensations: CompensationRecord[] = [];
  history: StageTransition[] = [];
  needsAttention = '';
  version = 0;
  /**
   * Why a cancel would be refused now (null: it would be accepted): what the cancel validator
   * asks, so `cancellable` in every view is its answer. The stage alone until the run says more.
   */
  cancelRefusal: () => string | null = () => cancellationRefusal(this.stage, NO_CANCELLATION_FACTS);
  /** The order's returns, in runs that take them (stages/returns.ts). */
  returns: () => readonly ReturnView[] = () => [];
  private sequence = 0;
  readonly totalMinor: number;

  constructor(
    readonly order: PlacedOrder,
    readonly workflowId: string,
    readonly migrationRoute: MigrationRoute,
    /** Monolith orders: each stage's route, fixed at the start. */
    readonly stageRoutes?: Record<MigrationStage, MigrationRoute>,
  ) {
    this.totalMinor = orderTotalMinor(order);
    this.stageEnteredAt = Date.now();
  }

  view(now = Date.now()): OrderStatusView {
    const stageEnteredAt = iso(this.stageEnteredAt);
    const stageDeadline = this.stageDeadline === null ? null : iso(this.stageDeadline);
    const returns = this.returns();
    return {
      orderId: this.order.orderId,
      workflowId: this.workflowId,
      customerId: this.order.customerId,
      segment: this.order.segment,
      items: this.order.items,
      totalMinor: this.totalMinor,
      currency: this.order.currency,
      expedited: this.order.expedited,
      placedAt: this.order.placedAt,
      stage: this.stage,
      stageEnteredAt,
      stageDeadline,
      customer: customerViewOf({
        stage: this.stage,
        stageEnteredAt,
        stageDeadline,
        commitments: this.commitments,
        returns,
        now: iso(now),
      }),
      asOf: iso(now),
      commitments: JSON.parse(JSON.stringify(this.commitments)) as Commitments,
      compensations: this.compensations.map((c) => ({ ...c })),
      history: [...this.history],
      needsAttention: this.needsAttention,
      migrationRoute: this.migrationRoute,
      ...(this.stageRoutes ? { stageRoutes: { ...this.stageRoutes } } : {}),
      cancellable: this.cancelRefusal() === null,
      ...(returns.length > 0
        ? { returns: returns.map((r) => ({ ...r, lines: r.lines.map((l) => ({ ...l })) })) }
        : {}),
      version: this.version,
    };
  }

  /** Everything the next run needs to go on recording this order (see RecorderState). */
  state(): RecorderState {
    return JSON.parse(
      JSON.stringify({
        stage: this.stage,
        stageEnteredAt: this.stageEnteredAt,
        stageDeadline: this.stageDeadline,
        commitments: this.commitments,
        compensations: this.compensations,
        history: this.history,
        needsAttention: this.needsAttention,
        version: this.version,
        sequence: this.sequence,
      }),
    ) as RecorderState;
  }

  /** Takes over where the previous run stopped; the search attributes say so at once. */
  restore(state: RecorderState): void {
    this.stage = state.stage;
    this.stageEnteredAt = state.stageEnteredAt;
    this.stageDeadline = state.stageDeadline;
    this.commitments = state.commitments;
    this.compensations = state.compensations;
    this.history = state.history;
    this.needsAttention = state.needsAttention;
    this.version = state.version;
    this.sequence = state.sequence;
    this.upsertSearchAttributes();
  }

  /** Applies a change and makes it visible: search attributes, lifecycle events, read model. */
  async record(change: Change): Promise<void> {
    const now = Date.now();
    if (change.stage !== undefined) {
      this.stage = change.stage;
      this.stageEnteredAt = now;
      this.stageDeadline = change.deadline ?? null;
      this.history.push({
        stage: change.stage,
        at: iso(now),
        ...(change.reason ? { reason: change.reason } : {}),
      });
    }
    if (change.needsAttention !== undefined) this.needsAttention = change.needsAttention;
    this.version += 1;
    this.upsertSearchAttributes();
    const events = (change.events ?? []).map((event) => {
      this.sequence += 1;
      return lifecycleEvent(this.order.orderId, this.sequence, event.type, iso(now), {
        stage: this.stage,
        ...event.payload,
      });
    });
    // One activity publishes the change's events and projects the view: measured in bench/,
    // a round trip per event was most of the platform's overhead over a bare workflow; run as a
    // local activity it saves the activity task and the workflow task after it as well. Awaited
    // either way, so an order's changes are published and projected one after the other.
    if (this.changes(RECORD_AS_LOCAL_ACTIVITY)) {
      await recordLocally.recordOrderChange({ events, view: this.view(now) });
      return;
    }
    if (this.changes(RECORD_IN_ONE_ACTIVITY)) {
      await mustHappen.recordOrderChange({ events, view: this.view(now) });
      return;
    }
    for (const event of events) await mustHappen.publishLifecycleEvent(event);
    await mustHappen.projectOrderStatus(this.view(now));
  }

  private upsertSearchAttributes(): void {
    upsertSearchAttributes(
      orderSearchAttributes({
        stage: this.stage,
        stageEnteredAt: new Date(this.stageEnteredAt),
        stageDeadline: this.stageDeadline === null ? null : new Date(this.stageDeadline),
        customerId: this.order.customerId,
        totalMinor: this.totalMinor,
        // Per stage when there are stage routes, so `MigrationRoute STARTS_WITH "fraud=new"` works.
        migrationRoute: this.stageRoutes
          ? Object.entries(this.stageRoutes)
              .map(([stage, route]) => `${stage}=${route}`)
              .join(',')
          : this.migrationRoute,
        needsAttention: this.needsAttention,
      }),
    );
  }
}
