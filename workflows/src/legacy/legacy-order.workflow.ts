/**
 * The workflow that follows an order placed in the legacy monolith (the strangler). The legacy
 * adapter starts it when the monolith's `LegacyOrderPlaced` is mirrored and signals it every
 * later fact. Each stage's route is fixed when the order starts (read through an activity, so
 * replay is deterministic) and recorded in `MigrationRoute`:
 *
 * - legacy: the monolith decides; the workflow waits for the mirrored fact and follows it;
 * - shadow: the workflow also decides, with side-effect-free calls only, publishes that decision
 *   (`StageDecided`, acted: false) for the comparator, and still follows the monolith;
 * - new: the workflow decides (`StageDecided`, acted: true), acts and tells the monolith. The
 *   sample monolith can hand over only its fraud decision (a provider asking for a review goes
 *   to an operator first); for other stages, and when the monolith did not wait for us, the
 *   workflow follows the monolith and says so (`NeedsAttention`).
 *
 * Whatever decides, the order goes through the same business stages as a platform order, with
 * the same deadlines, the same read model and the same customer statuses: a customer of the
 * monolith sees the truth through the gateway. What the workflow records after following the
 * monolith carries `followed: 'legacy'`, so the comparator never compares the monolith with its
 * own echo.
 */
import {
  ActivityFailure,
  defineSignal,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { StranglerActivities } from '@order-platform/activities';
import {
  LEGACY_FACT_SIGNAL,
  type LegacyEvent,
  type LegacyFactType,
  manualReviewRefusal,
  MIGRATION_ROUTES,
  type MigrationRoute,
  type MigrationStage,
  type OrderStatusView,
  type PlacedOrder,
  type StagePolicy,
} from '@order-platform/domain';
import {
  bulkheads,
  cancelOrderUpdate,
  type CancelRequest,
  type ManualReviewDecision,
  manualReviewDecisionSignal,
  manualReviewDecisionUpdate,
  mustHappen,
  OrderRecorder,
  orderStatusQuery,
  rejectInvalidOrder,
  screeningRequest,
  waitForFactOrDeadline,
} from '../order';
import { UNTIL_DONE } from '../retry-policies';

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

const ENDINGS: readonly LegacyFactType[] = ['LegacyOrderRejected', 'LegacyOrderCancelled'];

export async function legacyOrderLifecycle(order: PlacedOrder): Promise<OrderStatusView> {
  rejectInvalidOrder(order);
  const facts = new Map<LegacyFactType, LegacyEvent>();
  // Facts may arrive before the routes are read: collected from the first moment.
  setHandler(legacyFactSignal, (fact) => {
    if (fact.orderId === order.orderId && !facts.has(fact.eventType))
      facts.set(fact.eventType, fact);
  });
  const routes = await strangler.resolveStageRoutes({ orderId: order.orderId });
  const recorder = new OrderRecorder(
    order,
    workflowInfo().workflowId,
    leastMigrated(routes),
    routes,
  );
  setHandler(orderStatusQuery, () => recorder.view());
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
  const policy: StagePolicy = await mustHappen.loadStagePolicy(order.segment);

  /** The first of `types` the monolith reports; a late one marks the order for attention. */
  async function legacyFact(types: LegacyFactType[], deadline: number, stage: MigrationStage) {
    const wanted = [...types, ...ENDINGS];
    const first = () => wanted.map((type) => facts.get(type)).find((fact) => fact !== undefined);
    if ((await waitForFactOrDeadline(first, deadline)) === 'deadline') {
      await recorder.record({ needsAttention: `LegacyFactOverdue:${stage}` });
      await waitForFactOrDeadline(first, null);
      await recorder.record({ needsAttention: '' });
    }
    const fact = first()!;
    if (ENDINGS.includes(fact.eventType)) throw new LegacyEnding(fact);
    return fact;
  }

  const stageDecided = (stage: MigrationStage, decision: Record<string, unknown>, acted = false) =>
    recorder.record({ events: [{ type: 'StageDecided', payload: { stage, decision, acted } }] });

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
          ? await strangler.tellMonolithFraudDecision({
              orderId: order.orderId,
              decision,
              reference: verdict?.reference ?? 'manual-review',
            })
          : { accepted: false };
        if (told.accepted) {
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
    if (routes.inventory !== 'legacy') {
      const available = await strangler.checkAvailability({
        lines: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
      });
      await stageDecided('inventory', { reserved: available });
    }
    await legacyFact(['LegacyStockReserved'], deadline, 'inventory');
    const reservationId = `legacy:${order.orderId}`;
    recorder.commitments.stock = { reservationId, state: 'reserved' };
    await recorder.record({
      events: [{ type: 'InventoryReserved', payload: { reservationId, followed: 'legacy' } }],
    });
  }

  async function paymentStage(): Promise<void> {
    const deadline = Date.now() + policy.paymentSlaMs;
    await recorder.record({ stage: 'PaymentAuthorizationPending', deadline });
    if (routes.payment !== 'legacy') {
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
    const readyDeadline = Date.now() + policy.authorizationValidityMs;
    await recorder.record({ stage: 'ReadyForFulfillment', deadline: readyDeadline });
    await legacyFact(['LegacyOrderShipped'], readyDeadline, 'fulfilment');
    recorder.commitments.shipment = { shipmentId: `legacy:${order.orderId}`, state: 'dispatched' };
    const deliveryDeadline = Date.now() + policy.deliveryWindowMs;
    await recorder.record({
      stage: 'Shipped',
      deadline: deliveryDeadline,
      events: [{ type: 'OrderShipped', payload: { followed: 'legacy' } }],
    });
    await legacyFact(['LegacyOrderDelivered'], deliveryDeadline, 'fulfilment');
    recorder.commitments.shipment = { ...recorder.commitments.shipment, state: 'delivered' };
    if (recorder.commitments.payment) recorder.commitments.payment.state = 'captured';
    await recorder.record({
      stage: 'Delivered',
      events: [{ type: 'OrderDelivered', payload: { followed: 'legacy' } }],
    });
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
    if (!(error instanceof LegacyEnding)) throw error;
    const rejected = error.fact.eventType === 'LegacyOrderRejected';
    // The monolith undoes what it held; the platform holds nothing of this order.
    recorder.commitments = {};
    await recorder.record({
      stage: rejected ? 'Rejected' : 'Cancelled',
      reason: rejected ? 'RejectedInLegacy' : 'CancelledInLegacy',
      events: [
        {
          type: rejected ? 'OrderRejected' : 'OrderCancelled',
          payload: {
            reason: rejected ? 'RejectedInLegacy' : 'CancelledInLegacy',
            followed: 'legacy',
          },
        },
      ],
    });
  }
  return recorder.view();
}
