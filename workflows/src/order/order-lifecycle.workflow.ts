/**
 * The order lifecycle, read top to bottom as the stage table of ARCHITECTURE.md: accept, take
 * the three holds (fraud approval, stock, payment) in the order the policy gives, confirm,
 * hand over to fulfilment, ship, deliver. Every wait is a durable timer raced against the fact
 * it waits for; when a wait runs out, the policy says what happens. Whatever ends an order early
 * (a cancel, a rejection, a failure) runs the saga, so nothing it held stays held.
 *
 * Changes after the first release go behind `patched('<change-id>')`, and the committed
 * histories in workflows/test/histories are replayed in CI to prove old runs still replay.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  type BusinessFailureType,
  FRAUD_CIRCUIT_OPEN,
  type FraudRoute,
  type HoldStep,
  isBusinessFailureType,
  isCancellable,
  isTerminal,
  mayNotify,
  type NotificationKind,
  type OrderStatusView,
  type PlacedOrder,
  type StagePolicy,
  validatePlacedOrder,
} from '@order-platform/domain';
import { bulkheads, platform, screeningRequest } from './activities';
import {
  cancelOrderUpdate,
  type CancelRequest,
  type FraudDecision,
  fraudDecisionSignal,
  type ManualReviewDecision,
  manualReviewDecisionSignal,
  orderDeliveredSignal,
  orderStatusQuery,
  shipmentDispatchedSignal,
} from './messages';
import { iso, OrderState } from './order-state';
import { Saga } from './saga';

type Ending = 'Cancelled' | 'Rejected' | 'Failed';

/** Patch: the fraud route is asked at decision time (degraded modes); older runs always screen. */
const DEGRADED_MODES = 'degraded-modes';

/** Thrown from anywhere in the story to end the order early; caught once, at the top. */
class OrderEnds extends Error {
  constructor(
    readonly stage: Ending,
    readonly reason: string,
  ) {
    super(`${stage}: ${reason}`);
  }
}

export async function orderLifecycle(order: PlacedOrder): Promise<OrderStatusView> {
  const problems = validatePlacedOrder(order);
  if (problems.length > 0) {
    throw ApplicationFailure.nonRetryable(`invalid order: ${problems.join('; ')}`, 'InvalidOrder');
  }
  const state = new OrderState(order, workflowInfo().workflowId, 'new');
  const downstreams = bulkheads(workflowInfo().taskQueue);
  const saga = new Saga(state);
  const facts = {
    fraud: undefined as FraudDecision | undefined,
    review: undefined as ManualReviewDecision | undefined,
    dispatched: false,
    delivered: false,
    cancel: undefined as CancelRequest | undefined,
  };
  const notified: NotificationKind[] = [];
  let reservations = 0;
  let authorizations = 0;

  setHandler(orderStatusQuery, () => state.view());
  setHandler(fraudDecisionSignal, (decision) => void (facts.fraud ??= decision));
  setHandler(manualReviewDecisionSignal, (decision) => {
    if (state.stage === 'ManualReviewRequired') facts.review ??= decision;
  });
  setHandler(shipmentDispatchedSignal, () => void (facts.dispatched = true));
  setHandler(orderDeliveredSignal, () => void (facts.delivered = true));
  setHandler(
    cancelOrderUpdate,
    async (request) => {
      facts.cancel ??= request;
      await condition(() => isTerminal(state.stage));
      return state.view();
    },
    {
      // Refused synchronously, so the API can tell the customer the truth at once.
      validator: (_request: CancelRequest) => {
        if (!isCancellable(state.stage)) {
          throw new Error(
            `the order is ${state.view().customer.status} and can no longer be cancelled`,
          );
        }
        if (facts.cancel) throw new Error('a cancellation is already in progress');
      },
    },
  );

  const notify = async (kind: NotificationKind): Promise<void> => {
    if (!mayNotify(notified, kind)) return;
    notified.push(kind);
    // A promise to the customer is not dropped because the notifier is down: retried until sent.
    await downstreams.notifications.notifyCustomer({
      orderId: order.orderId,
      customerId: order.customerId,
      kind,
    });
  };

  /** A cancel request ends whatever the order is doing at the next step or wait. */
  const ensureNotCancelled = (): void => {
    if (facts.cancel) throw new OrderEnds('Cancelled', `CancelledBy:${facts.cancel.requestedBy}`);
  };

  /**
   * Waits until `fact()` gives a value or the stage deadline passes ('deadline'). A stock hold
   * whose TTL runs out during the wait is released on the spot and the wait goes on; a cancel
   * request ends the wait.
   */
  async function waitFor<T>(
    fact: () => T | undefined,
    deadline: number | null,
  ): Promise<T | 'deadline'> {
    for (;;) {
      const holdExpiry =
        state.commitments.stock?.state === 'reserved'
          ? Date.parse(state.commitments.stock.expiresAt!)
          : null;
      const until = Math.min(deadline ?? Infinity, holdExpiry ?? Infinity);
      let value: T | undefined;
      const arrived = await condition(
        () => (value = fact()) !== undefined || facts.cancel !== undefined,
        until === Infinity ? undefined : Math.max(1, until - Date.now()),
      );
      ensureNotCancelled();
      if (arrived) return value!;
      if (holdExpiry !== null && Date.now() >= holdExpiry) {
        await releaseStock('ReservationExpired');
        continue;
      }
      return 'deadline';
    }
  }

  // --- holds -------------------------------------------------------------------------------

  async function screenForFraud(policy: StagePolicy): Promise<void> {
    // Asked when deciding, not when the order started: a degraded mode switched on meanwhile
    // applies. The answer is an activity result, so a replay takes the same route.
    const route: FraudRoute = patched(DEGRADED_MODES)
      ? await platform.routeFraudDecision({ segment: order.segment, totalMinor: state.totalMinor })
      : { route: 'screen', fraudSlaMs: policy.fraudSlaMs, mode: null };
    const fraudSlaMs = route.route === 'screen' ? route.fraudSlaMs : policy.fraudSlaMs;
    const deadline = Date.now() + fraudSlaMs;
    await state.record({
      stage: 'AwaitingFraudDecision',
      deadline,
      events: [{ type: 'FraudReviewRequested', payload: { degradedMode: route.mode } }],
    });
    if (route.route === 'manual-review') {
      await state.record({
        events: [
          {
            type: 'FraudReviewDeferred',
            payload: { reason: 'DegradedMode', action: 'manual-review', mode: route.mode },
          },
        ],
      });
      return manualReview(policy, 'DegradedModeHighValue');
    }
    if (route.route === 'approve-with-flag') {
      // Approved now, flagged so the screening is looked at once the provider has caught up.
      state.commitments.fraud = {
        decision: 'approved',
        decidedBy: 'policy',
        flag: 'DegradedModeReviewLater',
        at: iso(Date.now()),
      };
      await state.record({
        events: [
          {
            type: 'FraudApproved',
            payload: { decidedBy: 'policy', flag: 'DegradedModeReviewLater', mode: route.mode },
          },
        ],
      });
      return;
    }
    let verdict:
      { decision: 'approve' | 'reject' | 'review'; decidedBy: 'provider' | 'legacy' } | undefined;
    let providerUnavailable = false;
    let circuitOpen = false;
    const scope = new CancellationScope();
    const call = scope.run(() =>
      downstreams.screening(fraudSlaMs)(screeningRequest(order, state.totalMinor)),
    );
    call.then(
      // 'pending': the provider queued it; its decision arrives later as a fraudDecision signal.
      (result) => {
        if (result.decision !== 'pending')
          verdict ??= { decision: result.decision, decidedBy: 'provider' };
      },
      (error) => {
        if (isCancellation(error)) return;
        if (failureType(error) === FRAUD_CIRCUIT_OPEN) circuitOpen = true;
        else providerUnavailable = true;
      },
    );
    const outcome = await waitFor(() => {
      if (facts.fraud) return { decision: facts.fraud.decision, decidedBy: facts.fraud.decidedBy };
      if (verdict) return verdict;
      if (circuitOpen) return 'circuit-open' as const;
      return providerUnavailable ? ('unavailable' as const) : undefined;
    }, deadline);
    scope.cancel();

    // The provider is failing for everyone: a person decides, rather than a retry storm.
    if (outcome === 'circuit-open') {
      await state.record({
        events: [
          {
            type: 'FraudReviewDeferred',
            payload: { reason: 'FraudCircuitOpen', action: 'manual-review' },
          },
        ],
      });
      return manualReview(policy, 'FraudCircuitOpen');
    }
    if (outcome === 'deadline' || outcome === 'unavailable')
      return deferFraudDecision(policy, outcome);
    if (outcome.decision === 'reject') throw new OrderEnds('Rejected', 'FraudRejected');
    if (outcome.decision === 'review') return manualReview(policy, 'FraudProviderAskedForReview');
    state.commitments.fraud = {
      decision: 'approved',
      decidedBy: outcome.decidedBy,
      at: iso(Date.now()),
    };
    await state.record({
      events: [{ type: 'FraudApproved', payload: { decidedBy: outcome.decidedBy } }],
    });
  }

  /** The fraud SLA ran out (or the provider is down): the policy decides, and the customer hears. */
  async function deferFraudDecision(
    policy: StagePolicy,
    why: 'deadline' | 'unavailable',
  ): Promise<void> {
    const reason = why === 'deadline' ? 'FraudSlaExpired' : 'FraudProviderUnavailable';
    const highValue = state.totalMinor >= policy.highValueThresholdMinor;
    const action = highValue ? 'manual-review' : policy.lowRiskOnFraudTimeout;
    await state.record({ events: [{ type: 'FraudReviewDeferred', payload: { reason, action } }] });
    if (action === 'manual-review') return manualReview(policy, reason);
    state.commitments.fraud = {
      decision: 'approved',
      decidedBy: 'policy',
      flag: reason,
      at: iso(Date.now()),
    };
    await state.record({
      events: [{ type: 'FraudApproved', payload: { decidedBy: 'policy', flag: reason } }],
    });
  }

  async function manualReview(policy: StagePolicy, reason: string): Promise<void> {
    const deadline = Date.now() + policy.manualReviewDeadlineMs;
    // A stock hold would lapse long before a person decides: release it now, re-reserve after.
    if (state.commitments.stock?.state === 'reserved')
      await releaseStock('HeldThroughManualReview');
    await state.record({
      stage: 'ManualReviewRequired',
      deadline,
      reason,
      needsAttention: 'ManualReview',
      events: [{ type: 'ManualReviewRequired', payload: { reason } }],
    });
    await notify('delayed');
    const decision = await waitFor(() => facts.review, deadline);
    if (decision === 'deadline') throw new OrderEnds('Cancelled', 'ManualReviewDeadlinePassed');
    const { operatorId, note } = decision;
    await state.record({
      needsAttention: '',
      events: [
        { type: 'ManualReviewDecided', payload: { decision: decision.decision, operatorId, note } },
      ],
    });
    if (decision.decision === 'reject') throw new OrderEnds('Rejected', 'RejectedInManualReview');
    state.commitments.fraud = {
      decision: 'approved',
      decidedBy: 'manual-review',
      at: iso(Date.now()),
    };
    await state.record({
      events: [{ type: 'FraudApproved', payload: { decidedBy: 'manual-review', operatorId } }],
    });
  }

  async function reserveStock(policy: StagePolicy): Promise<void> {
    // The first reservation plus the re-reservations the policy allows after a lapse.
    if (reservations > policy.maxReReservations)
      throw new OrderEnds('Cancelled', 'ReservationExpired');
    reservations += 1;
    await state.record({
      stage: 'InventoryHoldPending',
      deadline: Date.now() + policy.reservationTtlMs,
    });
    const reservation = await businessOutcome(() =>
      downstreams.inventory.call.reserveInventory({
        step: `reserve-inventory-${reservations}`,
        orderId: order.orderId,
        lines: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
        ttlMs: policy.reservationTtlMs,
      }),
    );
    state.commitments.stock = {
      reservationId: reservation.reservationId,
      state: 'reserved',
      expiresAt: reservation.expiresAt,
    };
    saga.push({ name: 'release-inventory', run: () => releaseStock('Compensation') });
    await state.record({ events: [{ type: 'InventoryReserved', payload: { ...reservation } }] });
    ensureNotCancelled();
  }

  /** Releases the stock held (a compensation, a lapse, or ahead of a long review). */
  async function releaseStock(reason: string): Promise<void> {
    const stock = state.commitments.stock;
    if (!stock) return;
    saga.drop('release-inventory');
    await downstreams.inventory.compensate.releaseInventory({
      step: `release-inventory-${stock.reservationId}`,
      reservationId: stock.reservationId,
    });
    state.commitments.stock = undefined;
    await state.record({
      events: [
        { type: 'InventoryReleased', payload: { reservationId: stock.reservationId, reason } },
      ],
    });
  }

  /** Voids the authorization held (a compensation, or one that expired) and says which. */
  async function voidPayment(type: 'PaymentVoided' | 'PaymentAuthorizationExpired'): Promise<void> {
    const payment = state.commitments.payment;
    if (!payment) return;
    const { authorizationId } = payment;
    saga.drop('void-authorization');
    await downstreams.payment.compensate.voidAuthorization({
      step: `void-authorization-${authorizationId}`,
      authorizationId,
    });
    state.commitments.payment = undefined;
    await state.record({ events: [{ type, payload: { authorizationId } }] });
  }

  async function authorizePayment(policy: StagePolicy): Promise<void> {
    if (authorizations > policy.maxReauthorizations)
      throw new OrderEnds('Cancelled', 'AuthorizationExpired');
    authorizations += 1;
    await state.record({
      stage: 'PaymentAuthorizationPending',
      deadline: Date.now() + policy.paymentSlaMs,
    });
    let granted;
    try {
      granted = await businessOutcome(() =>
        downstreams.authorization(policy.paymentSlaMs)({
          step: `authorize-payment-${authorizations}`,
          orderId: order.orderId,
          customerId: order.customerId,
          amountMinor: state.totalMinor,
          currency: order.currency,
          validityMs: policy.authorizationValidityMs,
        }),
      );
    } catch (error) {
      // Not a decline: the payment SLA ran out with the gateway still failing or silent.
      if (error instanceof ActivityFailure)
        throw new OrderEnds('Cancelled', 'PaymentAuthorizationTimedOut');
      throw error;
    }
    const { authorizationId, expiresAt } = granted;
    state.commitments.payment = {
      authorizationId,
      state: 'authorized',
      amountMinor: state.totalMinor,
      currency: order.currency,
      expiresAt,
    };
    saga.push({ name: 'void-authorization', run: () => voidPayment('PaymentVoided') });
    await state.record({
      events: [
        {
          type: 'PaymentAuthorized',
          payload: { authorizationId, expiresAt, amountMinor: state.totalMinor },
        },
      ],
    });
    ensureNotCancelled();
  }

  const holds = (step: HoldStep): boolean =>
    step === 'fraud'
      ? state.commitments.fraud !== undefined
      : step === 'inventory'
        ? state.commitments.stock !== undefined
        : state.commitments.payment !== undefined;

  /** Takes the holds in policy order until all three are held at once. */
  async function takeHolds(policy: StagePolicy): Promise<void> {
    for (
      let next = policy.stepOrder.find((s) => !holds(s));
      next;
      next = policy.stepOrder.find((s) => !holds(s))
    ) {
      ensureNotCancelled();
      if (next === 'fraud') await screenForFraud(policy);
      else if (next === 'inventory') await reserveStock(policy);
      else await authorizePayment(policy);
    }
  }

  // --- confirmation, fulfilment, delivery --------------------------------------------------

  async function confirm(policy: StagePolicy): Promise<void> {
    for (;;) {
      await takeHolds(policy);
      const stock = state.commitments.stock!;
      try {
        await businessOutcome(() =>
          downstreams.inventory.call.allocateInventory({
            step: `allocate-inventory-${stock.reservationId}`,
            reservationId: stock.reservationId,
          }),
        );
        break;
      } catch (error) {
        if (!(error instanceof OrderEnds && error.reason === 'ReservationExpired')) throw error;
        // The hold lapsed while the other holds were taken: release it and take it again.
        await releaseStock('ReservationExpired');
      }
    }
    state.commitments.stock = {
      ...state.commitments.stock!,
      state: 'allocated',
      expiresAt: undefined,
    };
    await state.record({
      stage: 'Confirmed',
      events: [
        {
          type: 'InventoryAllocated',
          payload: { reservationId: state.commitments.stock.reservationId },
        },
        { type: 'OrderConfirmed' },
      ],
    });
    await notify('confirmed');
  }

  async function handOverToFulfilment(policy: StagePolicy): Promise<void> {
    const { shipmentId } = await businessOutcome(() =>
      downstreams.fulfillment.call.createShipment({
        step: 'create-shipment',
        orderId: order.orderId,
        lines: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
      }),
    );
    state.commitments.shipment = { shipmentId, state: 'requested' };
    await state.record({ events: [{ type: 'ShipmentCreated', payload: { shipmentId } }] });
    saga.push({
      name: 'cancel-shipment',
      run: async () => {
        await downstreams.fulfillment.compensate.cancelShipment({
          step: `cancel-shipment-${shipmentId}`,
          shipmentId,
        });
        state.commitments.shipment = undefined;
        await state.record({ events: [{ type: 'ShipmentCancelled', payload: { shipmentId } }] });
      },
    });
    // Fulfilment may take as long as the authorization stays valid, then it is renewed once.
    for (;;) {
      const authorizationExpiry = Date.parse(state.commitments.payment!.expiresAt!);
      await state.record({ stage: 'ReadyForFulfillment', deadline: authorizationExpiry });
      const dispatched = await waitFor(
        () => (facts.dispatched ? true : undefined),
        authorizationExpiry,
      );
      if (dispatched === true) return;
      await voidPayment('PaymentAuthorizationExpired');
      await authorizePayment(policy);
    }
  }

  async function ship(policy: StagePolicy): Promise<void> {
    const payment = state.commitments.payment!;
    const { captureId } = await downstreams.payment.call.capturePayment({
      step: `capture-payment-${payment.authorizationId}`,
      authorizationId: payment.authorizationId,
      amountMinor: payment.amountMinor,
    });
    // Past the point of no return: nothing is compensated any more, returns are another process.
    saga.drop('void-authorization');
    saga.drop('cancel-shipment');
    saga.drop('release-inventory');
    state.commitments.payment = { ...payment, state: 'captured' };
    state.commitments.shipment = { ...state.commitments.shipment!, state: 'dispatched' };
    const deadline = Date.now() + policy.deliveryWindowMs;
    await state.record({
      stage: 'Shipped',
      deadline,
      events: [
        { type: 'OrderShipped' },
        { type: 'PaymentCaptured', payload: { captureId, amountMinor: payment.amountMinor } },
      ],
    });
    await notify('shipped');
    const delivered = await condition(() => facts.delivered, deadline - Date.now());
    if (!delivered) {
      await state.record({
        needsAttention: 'DeliveryOverdue',
        events: [{ type: 'DeliveryOverdue' }],
      });
      await condition(() => facts.delivered);
    }
    state.commitments.shipment = { ...state.commitments.shipment!, state: 'delivered' };
    await state.record({
      stage: 'Delivered',
      needsAttention: '',
      events: [{ type: 'OrderDelivered' }],
    });
    await notify('delivered');
  }

  /** Ends the order early: the customer's status changes at once, then everything held is undone. */
  async function end(ending: OrderEnds): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      const type =
        ending.stage === 'Cancelled'
          ? 'OrderCancelled'
          : ending.stage === 'Rejected'
            ? 'OrderRejected'
            : 'OrderFailed';
      await state.record({
        stage: ending.stage,
        reason: ending.reason,
        events: [{ type, payload: { reason: ending.reason } }],
      });
      await saga.compensate();
      await state.record({});
      await notify(ending.stage === 'Rejected' ? 'rejected' : 'cancelled');
    });
  }

  // --- the story ---------------------------------------------------------------------------

  await state.record({
    stage: 'AcceptedForProcessing',
    events: [{ type: 'OrderAccepted', payload: { totalMinor: state.totalMinor } }],
  });
  try {
    const policy = await platform.loadStagePolicy(order.segment);
    await confirm(policy);
    await handOverToFulfilment(policy);
    await ship(policy);
  } catch (error) {
    if (error instanceof OrderEnds) await end(error);
    else if (isCancellation(error)) await end(new OrderEnds('Cancelled', 'WorkflowCancelled'));
    else await end(new OrderEnds('Failed', describe(error)));
  }
  return state.view();
}

/** Turns a non-retryable business failure from an activity into the end it means. */
async function businessOutcome<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const type = failureType(error);
    if (isBusinessFailureType(type))
      throw new OrderEnds(ENDING_OF[type].stage, ENDING_OF[type].reason);
    throw error;
  }
}

/** The type of the application failure an activity ended with, if that is how it ended. */
function failureType(error: unknown): string | null | undefined {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure
    ? error.cause.type
    : undefined;
}

const ENDING_OF: Record<BusinessFailureType, { stage: Ending; reason: string }> = {
  OutOfStock: { stage: 'Cancelled', reason: 'OutOfStock' },
  ReservationExpired: { stage: 'Cancelled', reason: 'ReservationExpired' },
  PaymentDeclined: { stage: 'Cancelled', reason: 'PaymentDeclined' },
  AuthorizationExpired: { stage: 'Cancelled', reason: 'AuthorizationExpired' },
  ShipmentAlreadyDispatched: { stage: 'Failed', reason: 'ShipmentAlreadyDispatched' },
};

function describe(error: unknown): string {
  if (error instanceof ActivityFailure)
    return `${error.activityType} failed: ${error.cause?.message ?? error.message}`;
  return error instanceof Error ? error.message : String(error);
}
