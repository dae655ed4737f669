/**
 * The workflow that follows an order placed in the legacy monolith (the strangler). The legacy
 * adapter starts it when the monolith's `LegacyOrderPlaced` is mirrored and signals it every
 * later fact. Each stage's route is fixed when the order starts (read through an activity, so
 * replay is deterministic) and recorded in `MigrationRoute`:
 *
 * - legacy: the monolith decides; the workflow waits for the mirrored fact and follows it;
 * - shadow: the workflow also decides, with side-effect-free calls only, publishes that decision
 *   (`StageDecided`, acted: false) for the comparator, and still follows the monolith;
 * - new: the workflow decides (`StageDecided`, acted: true), acts with real side effects and
 *   tells the monolith, which records the outcome instead of deciding (a provider asking for a
 *   fraud review goes to an operator first). An order whose placement says which stages the
 *   monolith handed over (`handedOver`, patch `stage-hand-over`) runs those stages as new and
 *   the others at most as shadow (domain `routesWithHandOver`): inventory reserves (and
 *   allocates) in the platform's warehouse, payment authorizes through the gateway and captures
 *   when the parcel leaves, fulfilment creates and follows the shipment, notification tells the
 *   customer (and says so for the comparator, as shadow says what it would tell: patch
 *   `notification-stage-decision`); what the platform holds is undone when the monolith ends
 *   the order (patch `stage-hand-over-fails-closed`: through the fail-closed saga, also when a
 *   call on the hand-over path fails, and a tell the monolith refuses for good is flagged; a
 *   long undoing continues as new with the order workflow's code, patch
 *   `legacy-undo-continues-as-new`; a handed-over stage the platform failed is told to the
 *   monolith, patch `tell-monolith-stage-failed`, which ends its order). Older orders, and
 *   orders that do not say, hand over fraud only, and when the monolith did not wait for us the
 *   workflow follows it and says so (`NeedsAttention`).
 *
 * Whatever decides, the order goes through the same business stages as a platform order, with
 * the same deadlines, the same read model and the same customer statuses: a customer of the
 * monolith sees the truth through the gateway. What the workflow records after following the
 * monolith carries `followed: 'legacy'`, so the comparator never compares the monolith with its
 * own echo.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineSignal,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  FailableStage,
  StageOutcomeHandOver,
  StranglerActivities,
} from '@order-platform/activities';
import {
  DOWNSTREAM_REJECTED,
  type FollowedLegacyFactType,
  LEGACY_FACT_SIGNAL,
  type LegacyEvent,
  type LegacyFactType,
  type LegacyNotificationKind,
  manualReviewRefusal,
  mayNotify,
  MIGRATION_ROUTES,
  type MigrationRoute,
  type MigrationStage,
  type NotificationKind,
  notificationDecision,
  type OrderStatusView,
  type PlacedOrder,
  routesWithHandOver,
  type StagePolicy,
} from '@order-platform/domain';
import {
  bulkheads,
  cancelOrderUpdate,
  type CancelRequest,
  type Compensation,
  continueUndoingAsNew,
  type ManualReviewDecision,
  manualReviewDecisionSignal,
  manualReviewDecisionUpdate,
  mustHappen,
  OrderRecorder,
  orderDeliveredSignal,
  orderStatusQuery,
  rejectInvalidOrder,
  resumeUndoing,
  Saga,
  screeningRequest,
  shipmentDispatchedSignal,
  type UndoingCarriedOver,
  undoAuthorization,
  undoReservation,
  undoShipment,
  unknownCompensation,
  waitForFactOrDeadline,
} from '../order';
import { UNTIL_DONE } from '../retry-policies';

/**
 * Patch: the stages the monolith handed over for this order (its placement says which) are the
 * platform's: decided, acted on with real side effects once, and told to the monolith.
 */
const STAGE_HAND_OVER = 'stage-hand-over';
/**
 * Patch: what the platform holds for a handed-over order is undone through the saga, failing
 * closed as the order workflow's does (a refused undo is flagged for an operator, never dropped),
 * also when a call on the hand-over path fails; a monolith that refuses a tell for good (a 4xx)
 * is flagged (`MonolithRefused:<stage>`) and the order goes on.
 */
const STAGE_HAND_OVER_FAILS_CLOSED = 'stage-hand-over-fails-closed';

/**
 * Patch: under shadow, fulfilment publishes what the platform would decide once the order is
 * ready to ship (it would ship it), so the comparator has a new side to join the monolith's
 * shipment with instead of declaring it missing after its grace.
 */
const SHADOW_FULFILMENT_DECISION = 'shadow-fulfilment-decision';

/**
 * Patch: a long undoing of what the platform holds (a downstream failing transiently for many
 * rounds) continues as new, as the order workflow's does (`compensations-fail-closed`), so the
 * history stays small however long the downstream is down.
 */
const LEGACY_UNDO_CONTINUES_AS_NEW = 'legacy-undo-continues-as-new';

/**
 * Patch: a handed-over stage the platform failed for good (a call refused: the reservation's
 * allocation, the shipment's creation) is told to the monolith on that stage's hand-over path,
 * so its order ends instead of waiting; the customer hears `cancelled` from whichever system
 * owns notifications.
 */
const TELL_MONOLITH_STAGE_FAILED = 'tell-monolith-stage-failed';

/**
 * Patch: the notification stage publishes its decision for the comparator, once per kind: what
 * the platform told the customer (new, acted) or would have told (shadow), so the comparator
 * has a new side to join each of the monolith's notifications with.
 */
const NOTIFICATION_STAGE_DECISION = 'notification-stage-decision';

/** How long to wait before screening again when the provider failed (its circuit reopens in 30 s). */
const SCREENING_RETRY_MS = 15_000;

export const legacyFactSignal = defineSignal<[LegacyEvent]>(LEGACY_FACT_SIGNAL);

const strangler = proxyActivities<StranglerActivities>({
  startToCloseTimeout: '30 seconds',
  retry: UNTIL_DONE,
});

/** MIGRATION_ROUTES runs legacy, shadow, new: the least of them is how far the order has moved. */
const leastMigrated = (routes: Record<MigrationStage, MigrationRoute>): MigrationRoute =>
  MIGRATION_ROUTES[
    Math.min(...Object.values(routes).map((route) => MIGRATION_ROUTES.indexOf(route)))
  ]!;

/** The monolith ended the order: nothing more to follow. */
class LegacyEnding extends Error {
  constructor(readonly fact: LegacyEvent) {
    super(fact.eventType);
  }
}

const ENDINGS: readonly FollowedLegacyFactType[] = ['LegacyOrderRejected', 'LegacyOrderCancelled'];

/** The business failure an activity ended with (OutOfStock, PaymentDeclined, ...), if any. */
const businessFailure = (error: unknown): string | undefined =>
  error instanceof ActivityFailure && error.cause instanceof ApplicationFailure
    ? (error.cause.type ?? undefined)
    : undefined;

/** What the platform itself holds for a monolith order, to capture or undo. */
interface PlatformHolds {
  reservationId?: string;
  authorization?: { authorizationId: string; amountMinor: number };
  captured?: boolean;
  shipmentId?: string;
  dispatched?: boolean;
  delivered?: boolean;
}

/**
 * What a run hands to the next when it continues as new in the middle of undoing what the
 * platform holds: the order workflow's (order/stages/undoing.ts), plus the routes the order started
 * with, the holds the pending compensations undo and why the reservation is released.
 */
export interface LegacyUndoingCarriedOver extends UndoingCarriedOver {
  routes: Record<MigrationStage, MigrationRoute>;
  holds: PlatformHolds;
  releaseReason: string;
  /** The handed-over stage the platform failed, when that ended the order: told once undone. */
  failedStage?: FailableStage;
}

/**
 * `carried`: only when a run continues as new in the middle of a long undoing: the new run
 * finishes the undoing, records how the order ended and tells the customer, nothing else.
 */
export async function legacyOrderLifecycle(
  order: PlacedOrder,
  carried?: LegacyUndoingCarriedOver,
): Promise<OrderStatusView> {
  rejectInvalidOrder(order);
  const facts = new Map<LegacyFactType, LegacyEvent>();
  // Facts may arrive before the routes are read: collected from the first moment.
  setHandler(legacyFactSignal, (fact) => {
    if (fact.orderId === order.orderId && !facts.has(fact.eventType))
      facts.set(fact.eventType, fact);
  });
  // A continued run goes on with the routes its order started with.
  const resolved =
    carried?.routes ?? (await strangler.resolveStageRoutes({ orderId: order.orderId }));
  // Whether the monolith said which stages it hands over: then those are the platform's.
  const handOver = patched(STAGE_HAND_OVER) && order.handedOver !== undefined;
  const routes =
    handOver && !carried ? routesWithHandOver(resolved, order.handedOver).routes : resolved;
  const owns = (stage: MigrationStage) => handOver && routes[stage] === 'new';
  const failsClosed = patched(STAGE_HAND_OVER_FAILS_CLOSED);
  /** The handed-over stage the platform is acting on, while it does (what a failure is told as). */
  let acting: FailableStage | undefined = carried?.failedStage;
  const tellsFailures = patched(TELL_MONOLITH_STAGE_FAILED);
  const holds: PlatformHolds = { ...carried?.holds };
  setHandler(shipmentDispatchedSignal, () => void (holds.dispatched = true));
  setHandler(orderDeliveredSignal, () => void (holds.delivered = true));
  const recorder = new OrderRecorder(
    order,
    workflowInfo().workflowId,
    leastMigrated(routes),
    routes,
  );
  if (carried) recorder.restore(carried.recorder);
  setHandler(orderStatusQuery, () => recorder.view());
  /** How the order ends early, once it does (what a continued undoing carries over). */
  let ending: UndoingCarriedOver['ending'] | undefined = carried?.ending;
  /** What the customer has been told (notification handed over), each kind once. */
  const notified: NotificationKind[] = [...(carried?.notified ?? [])];
  /** Why the platform's reservation is released: the monolith ended the order, or a call failed. */
  let releaseReason = carried?.releaseReason ?? 'EndedInLegacy';
  // Patched hand-over runs: each hold the platform takes pushes its undo (docs/strangler.md).
  const saga =
    handOver && failsClosed
      ? new Saga(recorder, {
          inDependencyOrder: true,
          failsClosed: true,
          continueUndoing: patched(LEGACY_UNDO_CONTINUES_AS_NEW)
            ? (pending) =>
                continueUndoingAsNew<typeof legacyOrderLifecycle>(order, {
                  ending: ending!,
                  recorder: recorder.state(),
                  notified: [...notified],
                  pending,
                  routes,
                  holds: { ...holds },
                  releaseReason,
                  ...(acting && ending?.stage === 'Failed' ? { failedStage: acting } : {}),
                })
            : undefined,
        })
      : undefined;
  let review: ManualReviewDecision | undefined;
  setHandler(manualReviewDecisionSignal, (decision) => {
    if (recorder.stage === 'ManualReviewRequired') review ??= decision;
  });
  // What the API uses: refused unless the order waits for the decision (nothing is audited).
  setHandler(
    manualReviewDecisionUpdate,
    (decision) => {
      review = decision;
      return recorder.view();
    },
    {
      validator: (_decision: ManualReviewDecision) => {
        const refusal = manualReviewRefusal(recorder.stage, {
          decided: review !== undefined,
          cancelling: false,
        });
        if (refusal) throw new Error(refusal);
      },
    },
  );
  // The monolith owns the order's lifecycle; a cancel there reaches us as a fact.
  const cancelledElsewhere = 'orders placed in the legacy system are cancelled there';
  recorder.cancelRefusal = () => cancelledElsewhere;
  setHandler(cancelOrderUpdate, async (_request: CancelRequest) => recorder.view(), {
    validator: (_request: CancelRequest) => {
      throw new Error(cancelledElsewhere);
    },
  });
  // A continued run only undoes: it needs no policy.
  let policy!: StagePolicy;
  if (!carried) policy = await mustHappen.loadStagePolicy(order.segment);

  /** The first of `types` the monolith reports; a late one marks the order for attention. */
  /** Only facts the signal bridge signals (`LEGACY_FACTS_FOLLOWED`) can be waited for. */
  async function legacyFact(
    types: FollowedLegacyFactType[],
    deadline: number,
    stage: MigrationStage,
  ) {
    const wanted = [...types, ...ENDINGS];
    const first = () => wanted.map((type) => facts.get(type)).find((fact) => fact !== undefined);
    if ((await waitForFactOrDeadline(first, deadline)) === 'deadline') {
      await recorder.record({ needsAttention: `LegacyFactOverdue:${stage}` });
      await waitForFactOrDeadline(first, null);
      await recorder.record({ needsAttention: '' });
    }
    const fact = first()!;
    if ((ENDINGS as readonly LegacyFactType[]).includes(fact.eventType))
      throw new LegacyEnding(fact);
    return fact;
  }

  const stageDecided = (stage: MigrationStage, decision: Record<string, unknown>, acted = false) =>
    recorder.record({ events: [{ type: 'StageDecided', payload: { stage, decision, acted } }] });

  const downstream = bulkheads(workflowInfo().taskQueue);
  const lines = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
  /**
   * Patched runs: a monolith that refuses what it is told for good (a 4xx, DownstreamRejected)
   * is flagged for an operator, and the order goes on following it (undefined: refused).
   */
  async function toldUnlessRefused<T>(
    stage: MigrationStage,
    telling: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await telling();
    } catch (error) {
      if (!failsClosed || businessFailure(error) !== DOWNSTREAM_REJECTED) throw error;
      await recorder.record({ needsAttention: `MonolithRefused:${stage}` });
      return undefined;
    }
  }
  const tell = (outcome: StageOutcomeHandOver) =>
    toldUnlessRefused(outcome.stage, () => strangler.tellMonolithStageOutcome(outcome));
  const { orderId, customerId } = order;

  /**
   * Notification handed over: the platform tells the customer, once per kind; the monolith
   * records it. Under shadow it only says what it would have told (patched runs, for both).
   */
  const wouldHaveNotified: NotificationKind[] = [];
  async function notify(kind: LegacyNotificationKind): Promise<void> {
    if (owns('notification')) {
      if (!mayNotify(notified, kind)) return;
      notified.push(kind);
      await downstream.notifications.notifyCustomer({ orderId, customerId, kind });
      await tell({ orderId, stage: 'notification', kind, reference: `notify-${kind}` });
      if (patched(NOTIFICATION_STAGE_DECISION))
        await stageDecided('notification', notificationDecision(kind), true);
      return;
    }
    if (routes.notification === 'legacy' || !mayNotify(wouldHaveNotified, kind)) return;
    if (!patched(NOTIFICATION_STAGE_DECISION)) return;
    wouldHaveNotified.push(kind);
    await stageDecided('notification', notificationDecision(kind));
  }

  /** Waits for what the platform itself awaits (its parcel's dispatch, delivery), or the monolith's end. */
  async function platformFact(done: () => boolean, deadline: number, stage: MigrationStage) {
    const ending = () => ENDINGS.map((type) => facts.get(type)).find((fact) => fact !== undefined);
    const first = () => (done() ? true : ending());
    if ((await waitForFactOrDeadline(first, deadline)) === 'deadline') {
      await recorder.record({ needsAttention: `PlatformFactOverdue:${stage}` });
      await waitForFactOrDeadline(first, null);
      await recorder.record({ needsAttention: '' });
    }
    const ended = ending();
    if (!done() && ended) throw new LegacyEnding(ended);
  }

  /** Inventory handed over: reserved and allocated in the platform's warehouse, once. */
  async function platformReserves(): Promise<void> {
    acting = 'inventory';
    let reservationId: string | undefined;
    try {
      ({ reservationId } = await downstream.inventory.call.reserveInventory({
        step: 'reserve-inventory-1',
        orderId,
        lines,
        ttlMs: policy.reservationTtlMs,
      }));
    } catch (error) {
      if (businessFailure(error) !== 'OutOfStock') throw error;
    }
    if (reservationId === undefined) {
      acting = undefined;
      await stageDecided('inventory', { reserved: false }, true);
      await tell({ orderId, stage: 'inventory', outcome: 'unavailable' });
      return;
    }
    holds.reservationId = reservationId;
    const reserved = reservationId;
    saga?.push(releaseReservation(reserved));
    // Allocated at once: a monolith order may ship long after a reservation's TTL.
    await downstream.inventory.call.allocateInventory({
      step: `allocate-inventory-${reservationId}`,
      reservationId,
    });
    acting = undefined;
    await stageDecided('inventory', { reserved: true }, true);
    await tell({ orderId, stage: 'inventory', reservationId });
  }

  /** Payment handed over: authorized through the platform's gateway, once. */
  async function platformAuthorizes(): Promise<void> {
    acting = 'payment';
    const amountMinor = recorder.totalMinor;
    let authorizationId: string | undefined;
    try {
      ({ authorizationId } = await downstream.authorization(policy.paymentSlaMs)({
        step: 'authorize-payment-1',
        orderId,
        customerId,
        amountMinor,
        currency: order.currency,
        validityMs: policy.authorizationValidityMs,
      }));
    } catch (error) {
      // Declined, or the gateway failing for the whole payment SLA: the monolith rejects it.
      if (!(error instanceof ActivityFailure)) throw error;
    }
    if (authorizationId === undefined) {
      acting = undefined;
      await stageDecided('payment', { authorized: false }, true);
      await tell({ orderId, stage: 'payment', outcome: 'declined' });
      return;
    }
    acting = undefined;
    holds.authorization = { authorizationId, amountMinor };
    const authorized = authorizationId;
    saga?.push(voidAuthorization(authorized));
    await stageDecided('payment', { authorized: true, amountMinor }, true);
    await tell({ orderId, stage: 'payment', paymentReference: authorizationId, amountMinor });
  }

  /** The platform's authorization is captured when the parcel leaves, whoever ships it. */
  async function platformCaptures(): Promise<void> {
    const authorization = holds.authorization;
    if (!authorization || holds.captured) return;
    const { authorizationId, amountMinor } = authorization;
    let captureId: string;
    try {
      ({ captureId } = await downstream.payment.call.capturePayment({
        step: `capture-payment-${authorizationId}`,
        authorizationId,
        amountMinor,
      }));
    } catch (error) {
      // The monolith shipped after the authorization lapsed (or the gateway refused it): the
      // parcel is gone, so a person charges the customer; the order still follows the monolith.
      if (!(error instanceof ActivityFailure)) throw error;
      await recorder.record({ needsAttention: 'CaptureFailed' });
      return;
    }
    holds.captured = true;
    saga?.drop('void-authorization');
    await recorder.record({
      events: [{ type: 'PaymentCaptured', payload: { captureId, amountMinor } }],
    });
  }

  /** Fulfilment handed over: the platform's shipment, captured when it leaves, told to the monolith. */
  async function platformShips(readyDeadline: number): Promise<void> {
    acting = 'fulfilment';
    const { shipmentId } = await downstream.fulfillment.call.createShipment({
      step: 'create-shipment',
      orderId,
      lines,
    });
    acting = undefined;
    holds.shipmentId = shipmentId;
    saga?.push(cancelShipment(shipmentId));
    recorder.commitments.shipment = { shipmentId, state: 'requested' };
    await recorder.record({ events: [{ type: 'ShipmentCreated', payload: { shipmentId } }] });
    await platformFact(() => holds.dispatched === true, readyDeadline, 'fulfilment');
    await platformCaptures();
    await stageDecided('fulfilment', { shipped: true }, true);
    await tell({ orderId, stage: 'fulfilment', shipmentId, state: 'dispatched' });
  }

  // The undo of each platform hold: the order workflow's own steps (order/undo-steps.ts); the
  // hold is kept in `holds`, which still says what was held once it is undone.
  const undoContext = { downstreams: downstream, recorder };
  const cancelShipment = (shipmentId: string) => undoShipment(undoContext, shipmentId);
  const voidAuthorization = (authorizationId: string) =>
    undoAuthorization(undoContext, authorizationId);
  const releaseReservation = (reservationId: string) =>
    undoReservation(undoContext, reservationId, () => releaseReason);

  /** The monolith ended the order: the platform undoes what it holds (nothing once shipped). */
  async function undoPlatformHolds(): Promise<void> {
    if (saga) return undoThroughSaga(saga);
    const { shipmentId, authorization, reservationId } = holds;
    // Our parcel left before the monolith's cancel reached us: nothing can be undone any more.
    if (holds.dispatched && shipmentId)
      await recorder.record({ needsAttention: 'EndedInLegacyAfterDispatch' });
    if (shipmentId && !holds.dispatched) await cancelShipment(shipmentId).run();
    if (authorization && !holds.captured)
      await voidAuthorization(authorization.authorizationId).run();
    if (reservationId && !holds.dispatched) await releaseReservation(reservationId).run();
  }

  /**
   * Patched hand-over runs: the saga undoes in dependency order and fails closed (saga.ts). The
   * shipment is recalled first; a parcel that had left (ShipmentAlreadyDispatched, a business
   * outcome) took the stock with it and is flagged, and the authorization is still voided.
   */
  async function undoThroughSaga(holding: Saga): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      if (holds.dispatched) {
        holding.drop('cancel-shipment');
        holding.drop('release-inventory');
        if (holds.shipmentId)
          await recorder.record({ needsAttention: 'EndedInLegacyAfterDispatch' });
      }
      if (holding.holds('cancel-shipment')) {
        const recall = await holding.runFirst('cancel-shipment', 'ShipmentAlreadyDispatched');
        if (recall === 'ShipmentAlreadyDispatched') {
          holds.dispatched = true;
          holding.drop('release-inventory');
          await recorder.record({
            needsAttention: 'EndedInLegacyAfterDispatch',
            events: [
              {
                type: 'CompensationFailed',
                payload: { compensation: 'cancel-shipment', error: 'ShipmentAlreadyDispatched' },
              },
            ],
          });
        }
      }
      await holding.compensate();
    });
  }

  /** In route 'new': the provider's verdict, or an operator's when the provider wants a review. */
  async function platformFraudDecision(verdict: string): Promise<'approve' | 'reject' | undefined> {
    if (verdict === 'approve' || verdict === 'reject') return verdict;
    const deadline = Date.now() + policy.manualReviewDeadlineMs;
    await recorder.record({
      stage: 'ManualReviewRequired',
      deadline,
      needsAttention: 'ManualReview',
      events: [{ type: 'ManualReviewRequired', payload: { reason: `FraudProvider:${verdict}` } }],
    });
    const decided = await waitForFactOrDeadline(() => review, deadline);
    return decided === 'deadline' ? undefined : decided.decision;
  }

  /**
   * The platform's own screening, within the fraud deadline. While the provider's circuit is
   * open (or it keeps failing), it asks again after a pause; at the deadline it gives up
   * (undefined) instead of failing the workflow that follows the monolith's order.
   */
  async function screenWithin(deadline: number) {
    for (;;) {
      try {
        return await bulkheads(workflowInfo().taskQueue).screening(
          Math.max(1_000, deadline - Date.now()),
        )(screeningRequest(order, recorder.totalMinor));
      } catch (error) {
        if (!(error instanceof ActivityFailure)) throw error;
        if (Date.now() + SCREENING_RETRY_MS >= deadline) return undefined;
        await sleep(SCREENING_RETRY_MS);
      }
    }
  }

  async function fraudStage(): Promise<void> {
    const deadline = Date.now() + policy.fraudSlaMs;
    await recorder.record({
      stage: 'AwaitingFraudDecision',
      deadline,
      events: [{ type: 'FraudReviewRequested' }],
    });
    const route = routes.fraud;
    if (route !== 'legacy') {
      const verdict = await screenWithin(deadline);
      if (route === 'shadow') {
        // Without a verdict in time there is nothing to compare: the monolith's decision stands.
        if (verdict) await stageDecided('fraud', { decision: verdict.decision });
      } else {
        // No verdict from the provider: a person decides, as for a provider asking for review.
        const decision = await platformFraudDecision(verdict?.decision ?? 'review');
        const told = decision
          ? await toldUnlessRefused('fraud', () =>
              strangler.tellMonolithFraudDecision({
                orderId: order.orderId,
                decision,
                reference: verdict?.reference ?? 'manual-review',
              }),
            )
          : { accepted: false };
        if (told === undefined) {
          // Refused for good: flagged (toldUnlessRefused); the monolith's decision is followed.
        } else if (told.accepted) {
          await stageDecided('fraud', { decision }, true);
        } else {
          // The monolith decided itself (it was not waiting), or nobody decided in time.
          await recorder.record({ needsAttention: 'MonolithDidNotDefer:fraud' });
        }
      }
    }
    const decided = await legacyFact(['LegacyFraudDecided'], deadline, 'fraud');
    const { decision } = (decided as LegacyEvent<'LegacyFraudDecided'>).payload;
    if (decision === 'reject') {
      // The monolith's OrderRejected follows in the same transaction: end on it.
      await legacyFact([], Date.now() + policy.fraudSlaMs, 'fraud');
    }
    recorder.commitments.fraud = {
      decision: 'approved',
      decidedBy: 'legacy',
      at: decided.occurredAt,
    };
    await recorder.record({
      needsAttention: '',
      events: [{ type: 'FraudApproved', payload: { decidedBy: 'legacy', followed: 'legacy' } }],
    });
  }

  async function inventoryStage(): Promise<void> {
    const deadline = Date.now() + policy.reservationTtlMs;
    await recorder.record({ stage: 'InventoryHoldPending', deadline });
    if (owns('inventory')) {
      await platformReserves();
    } else if (routes.inventory !== 'legacy') {
      const available = await strangler.checkAvailability({
        lines: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
      });
      await stageDecided('inventory', { reserved: available });
    }
    await legacyFact(['LegacyStockReserved'], deadline, 'inventory');
    const reservationId = holds.reservationId ?? `legacy:${order.orderId}`;
    recorder.commitments.stock = {
      reservationId,
      state: holds.reservationId ? 'allocated' : 'reserved',
    };
    await recorder.record({
      events: [{ type: 'InventoryReserved', payload: { reservationId, followed: 'legacy' } }],
    });
  }

  async function paymentStage(): Promise<void> {
    const deadline = Date.now() + policy.paymentSlaMs;
    await recorder.record({ stage: 'PaymentAuthorizationPending', deadline });
    if (owns('payment')) {
      await platformAuthorizes();
    } else if (routes.payment !== 'legacy') {
      // What the platform would ask its gateway for; no call, so nothing is held.
      await stageDecided('payment', { authorized: true, amountMinor: recorder.totalMinor });
    }
    const fact = await legacyFact(['LegacyPaymentAuthorized'], deadline, 'payment');
    const { authorizationId, amountMinor, currency } = (
      fact as LegacyEvent<'LegacyPaymentAuthorized'>
    ).payload;
    recorder.commitments.payment = { authorizationId, state: 'authorized', amountMinor, currency };
    await recorder.record({
      events: [
        {
          type: 'PaymentAuthorized',
          payload: { authorizationId, amountMinor, followed: 'legacy' },
        },
      ],
    });
  }

  async function fulfilmentStages(): Promise<void> {
    await legacyFact(['LegacyOrderAccepted'], Date.now() + policy.paymentSlaMs, 'payment');
    await recorder.record({ stage: 'Confirmed', events: [{ type: 'OrderConfirmed' }] });
    await notify('confirmed');
    const readyDeadline = Date.now() + policy.authorizationValidityMs;
    await recorder.record({ stage: 'ReadyForFulfillment', deadline: readyDeadline });
    if (owns('fulfilment')) await platformShips(readyDeadline);
    else if (routes.fulfilment !== 'legacy' && patched(SHADOW_FULFILMENT_DECISION)) {
      // What the platform would do with an order ready to ship; no shipment is created.
      await stageDecided('fulfilment', { shipped: true });
    }
    await legacyFact(['LegacyOrderShipped'], readyDeadline, 'fulfilment');
    // Payment handed over and the monolith shipped: the platform captures its authorization.
    await platformCaptures();
    // Past the point of no return: the stock left with the parcel, nothing is undone any more.
    for (const name of ['cancel-shipment', 'void-authorization', 'release-inventory'])
      saga?.drop(name);
    recorder.commitments.shipment = {
      shipmentId: holds.shipmentId ?? `legacy:${order.orderId}`,
      state: 'dispatched',
    };
    const deliveryDeadline = Date.now() + policy.deliveryWindowMs;
    await recorder.record({
      stage: 'Shipped',
      deadline: deliveryDeadline,
      events: [{ type: 'OrderShipped', payload: { followed: 'legacy' } }],
    });
    await notify('shipped');
    if (owns('fulfilment')) {
      await platformFact(() => holds.delivered === true, deliveryDeadline, 'fulfilment');
      await tell({
        orderId,
        stage: 'fulfilment',
        shipmentId: holds.shipmentId!,
        state: 'delivered',
      });
    }
    await legacyFact(['LegacyOrderDelivered'], deliveryDeadline, 'fulfilment');
    recorder.commitments.shipment = { ...recorder.commitments.shipment, state: 'delivered' };
    if (recorder.commitments.payment) recorder.commitments.payment.state = 'captured';
    await recorder.record({
      stage: 'Delivered',
      events: [{ type: 'OrderDelivered', payload: { followed: 'legacy' } }],
    });
    await notify('delivered');
  }

  /**
   * Records how the order ended, once what the platform held is undone, and tells the customer.
   * A handed-over stage the platform failed is told to the monolith (patched runs), which ends
   * its order; the customer hears `cancelled` from whichever system notifies.
   */
  async function recordEnding({ stage, reason }: UndoingCarriedOver['ending']): Promise<void> {
    recorder.commitments = {};
    if (stage === 'Failed') {
      await recorder.record({
        stage: 'Failed',
        reason,
        events: [{ type: 'OrderFailed', payload: { reason } }],
      });
      if (tellsFailures && acting) {
        await tell({ orderId, stage: acting, outcome: 'failed', reason });
        await notify('cancelled');
      }
      return;
    }
    const rejected = stage === 'Rejected';
    await recorder.record({
      stage,
      reason,
      events: [
        {
          type: rejected ? 'OrderRejected' : 'OrderCancelled',
          payload: { reason, followed: 'legacy' },
        },
      ],
    });
    await notify(rejected ? 'rejected' : 'cancelled');
  }

  /** A pending undo of a continued run, rebuilt from the hold it undoes. */
  function compensationNamed(name: string): Compensation {
    const { reservationId, authorization, shipmentId } = holds;
    if (name === 'release-inventory' && reservationId) return releaseReservation(reservationId);
    if (name === 'void-authorization' && authorization)
      return voidAuthorization(authorization.authorizationId);
    if (name === 'cancel-shipment' && shipmentId) return cancelShipment(shipmentId);
    throw unknownCompensation(name);
  }

  if (carried && saga) {
    // The last run continued as new in the middle of undoing: finish it, then end.
    resumeUndoing(saga, carried.pending, compensationNamed);
    await CancellationScope.nonCancellable(async () => {
      await saga.compensate();
      await recordEnding(carried.ending);
    });
    return recorder.view();
  }

  try {
    await recorder.record({
      events: [{ type: 'OrderAccepted', payload: { origin: 'legacy-monolith', routes } }],
    });
    await fraudStage();
    await inventoryStage();
    await paymentStage();
    await fulfilmentStages();
  } catch (error) {
    if (!(error instanceof LegacyEnding)) {
      if (!saga) throw error;
      // A call on the hand-over path failed for good: what the platform holds is undone (or
      // flagged), and the order reads as failed instead of leaving the holds behind.
      releaseReason = 'Failed';
      const reason =
        error instanceof ActivityFailure
          ? `${error.activityType} failed: ${error.cause?.message ?? error.message}`
          : error instanceof Error
            ? error.message
            : String(error);
      ending = { stage: 'Failed', reason };
      await undoPlatformHolds();
      await recordEnding(ending);
      return recorder.view();
    }
    const rejected = error.fact.eventType === 'LegacyOrderRejected';
    ending = rejected
      ? { stage: 'Rejected', reason: 'RejectedInLegacy' }
      : { stage: 'Cancelled', reason: 'CancelledInLegacy' };
    // The monolith undoes what it held; the platform undoes what it holds itself.
    await undoPlatformHolds();
    await recordEnding(ending);
  }
  return recorder.view();
}
