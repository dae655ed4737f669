/**
 * The run context of an order workflow: the order, its recorder, the facts collected from
 * signals and updates, the saga, the downstream calls and the customer notifications. Every
 * stage (order/stages/) takes it as its first argument. Starting a run registers the order's
 * query, signal and update handlers, so facts are collected from the first moment, each with
 * its place in the order of arrival.
 */
import { ApplicationFailure, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  cancellationRefusal,
  isTerminal,
  manualReviewRefusal,
  mayNotify,
  type NotificationKind,
  type OrderStatusView,
  type PlacedOrder,
  validatePlacedOrder,
} from '@order-platform/domain';
import { type Bulkheads, bulkheads } from './activities';
import {
  cancelOrderUpdate,
  type CancelRequest,
  type FraudDecision,
  fraudDecisionSignal,
  type ManualReviewDecision,
  manualReviewDecisionSignal,
  manualReviewDecisionUpdate,
  orderDeliveredSignal,
  orderStatusQuery,
  shipmentDispatchedSignal,
} from './messages';
import {
  COMPENSATIONS_FAIL_CLOSED,
  OPERATOR_DECISIONS_AS_UPDATES,
  orderRunChanges,
  POINT_OF_NO_RETURN,
  RETURNS,
  type RunChanges,
} from './changes';
import { OrderRecorder } from './order-recorder';
import { Saga } from './saga';
import { OrderEnds } from './stages/ending';
import { OrderReturns } from './stages/returns';
import { continueUndoingAsNew, type UndoingCarriedOver } from './stages/undoing';
import { waitForFactOrDeadline } from './wait';

/** The order workflow's signature, for continuing as new. */
type OrderWorkflow = (order: PlacedOrder, carried?: UndoingCarriedOver) => Promise<OrderStatusView>;

export type FactName = 'fraud' | 'review' | 'dispatched' | 'delivered' | 'cancel';

/** What the outside world has told the order so far (each fact is kept once, the first time). */
export interface OrderFacts {
  fraud?: FraudDecision;
  review?: ManualReviewDecision;
  dispatched: boolean;
  delivered: boolean;
  cancel?: CancelRequest;
  /** The capture has been asked for: past the point of no return. */
  capturing: boolean;
  /** The capture, once taken: what a return may refund, at most. */
  capture?: { captureId: string; amountMinor: number };
  /** An accepted cancel that the dispatch overtook: why it did not happen. */
  cancelOverturned?: string;
  /** Each fact's place in the order of arrival (1, 2, ...): one task's facts apply in it. */
  arrival: Partial<Record<FactName, number>>;
}

export interface OrderRun {
  readonly order: PlacedOrder;
  readonly recorder: OrderRecorder;
  readonly facts: OrderFacts;
  readonly saga: Saga;
  readonly downstreams: Bulkheads;
  /** Which of the workflow's changes this run has (changes.ts). */
  readonly changes: RunChanges;
  /** Started with the point of no return enforced (patched); older runs keep the old paths. */
  readonly enforcesPointOfNoReturn: boolean;
  /** Holds taken so far, against the policy's limits on taking them again after a lapse. */
  readonly taken: { reservations: number; authorizations: number };
  /** Runs started with returns (patched); older runs take no return requests. */
  readonly returns?: OrderReturns;
  /** How the order ended early, once it has (what a continued undoing carries over). */
  ending?: OrderEnds;
  /** What the customer has been told, each kind once. */
  readonly notified: readonly NotificationKind[];
  /** Tells the customer, at most once per kind (the notification rules of the domain). */
  notify(kind: NotificationKind): Promise<void>;
  /** Tells the customer of a return (`told`: what this return was told so far); true if told. */
  notifyOfReturn(
    returnId: string,
    told: readonly NotificationKind[],
    kind: NotificationKind,
  ): Promise<boolean>;
  /** A cancel request ends whatever the order is doing at the next step or wait. */
  ensureNotCancelled(): void;
}

/** An order that breaks the rules of a placed order never starts: a non-retryable failure. */
export function rejectInvalidOrder(order: PlacedOrder): void {
  const problems = validatePlacedOrder(order);
  if (problems.length > 0) {
    throw ApplicationFailure.nonRetryable(`invalid order: ${problems.join('; ')}`, 'InvalidOrder');
  }
}

/**
 * Starts following an order; `carried`: this run continues an undoing its previous run began
 * (stages/undoing.ts), so it takes over that run's record.
 */
export function startOrderRun(order: PlacedOrder, carried?: UndoingCarriedOver): OrderRun {
  const changes = orderRunChanges();
  const recorder = new OrderRecorder(order, workflowInfo().workflowId, 'new');
  recorder.changes = changes;
  if (carried) recorder.restore(carried.recorder);
  const downstreams = bulkheads(workflowInfo().taskQueue);
  const enforcesPointOfNoReturn = changes(POINT_OF_NO_RETURN);
  const failsClosed = changes(COMPENSATIONS_FAIL_CLOSED);
  const saga = new Saga(recorder, {
    inDependencyOrder: enforcesPointOfNoReturn,
    failsClosed,
    // A long undoing goes on in a new run (stages/undoing.ts).
    continueUndoing: (pending) =>
      continueUndoingAsNew<OrderWorkflow>(order, {
        ending: { stage: run.ending!.stage, reason: run.ending!.reason },
        recorder: recorder.state(),
        notified: [...notified],
        pending,
      }),
  });
  const facts: OrderFacts = { dispatched: false, delivered: false, capturing: false, arrival: {} };
  recorder.cancelRefusal = () =>
    cancellationRefusal(recorder.stage, {
      dispatched: facts.dispatched,
      capturing: facts.capturing,
      cancelling: facts.cancel !== undefined,
    });
  const notified: NotificationKind[] = [...(carried?.notified ?? [])];
  const returns = changes(RETURNS) ? new OrderReturns() : undefined;
  if (returns) recorder.returns = () => returns.records;
  const run: OrderRun = {
    order,
    recorder,
    facts,
    saga,
    downstreams,
    changes,
    enforcesPointOfNoReturn,
    taken: { reservations: 0, authorizations: 0 },
    returns,
    notified,
    async notifyOfReturn(returnId, told, kind) {
      if (!mayNotify([...notified, ...told], kind)) return false;
      await downstreams.notifications.notifyCustomer({
        orderId: order.orderId,
        customerId: order.customerId,
        kind,
        returnId,
      });
      return true;
    },
    async notify(kind) {
      if (!mayNotify(notified, kind)) return;
      notified.push(kind);
      // A promise to the customer is not dropped because the notifier is down: retried until sent.
      await downstreams.notifications.notifyCustomer({
        orderId: order.orderId,
        customerId: order.customerId,
        kind,
      });
    },
    ensureNotCancelled() {
      if (facts.cancel) throw new OrderEnds('Cancelled', `CancelledBy:${facts.cancel.requestedBy}`);
    },
  };
  listenForFacts(run);
  returns?.listen(run);
  return run;
}

function listenForFacts(run: OrderRun): void {
  const { recorder, facts, changes } = run;
  let arrivals = 0;
  const arrived = (fact: FactName) => void (facts.arrival[fact] ??= ++arrivals);
  setHandler(orderStatusQuery, () => recorder.view());
  setHandler(fraudDecisionSignal, (decision) => {
    facts.fraud ??= decision;
    arrived('fraud');
  });
  const reviewRefusal = () =>
    manualReviewRefusal(recorder.stage, {
      decided: facts.review !== undefined,
      cancelling: facts.cancel !== undefined,
    });
  // Registered in every run, so a review decided through the API reaches runs of any age.
  setHandler(
    manualReviewDecisionUpdate,
    (decision) => {
      facts.review = decision;
      arrived('review');
      return recorder.view();
    },
    {
      validator: (_decision: ManualReviewDecision) => {
        const refusal = reviewRefusal();
        if (refusal) throw new Error(refusal);
      },
    },
  );
  if (!changes(OPERATOR_DECISIONS_AS_UPDATES)) {
    setHandler(manualReviewDecisionSignal, (decision) => {
      if (recorder.stage !== 'ManualReviewRequired') return;
      facts.review ??= decision;
      arrived('review');
    });
  }
  setHandler(shipmentDispatchedSignal, () => {
    facts.dispatched = true;
    arrived('dispatched');
  });
  setHandler(orderDeliveredSignal, () => {
    facts.delivered = true;
    arrived('delivered');
  });
  setHandler(
    cancelOrderUpdate,
    async (request) => {
      facts.cancel ??= request;
      arrived('cancel');
      // Answered once the order has ended, with how it ended; or refused after all when the
      // parcel turned out to have left (the warehouse would not recall it).
      const outcome = await waitForFactOrDeadline(
        () =>
          facts.cancelOverturned !== undefined && run.enforcesPointOfNoReturn
            ? OVERTURNED
            : isTerminal(recorder.stage)
              ? recorder.view()
              : undefined,
        null,
      );
      if (outcome === OVERTURNED) {
        throw ApplicationFailure.create({
          type: 'CancellationOverturned',
          message: facts.cancelOverturned!,
          nonRetryable: true,
        });
      }
      return outcome;
    },
    {
      // Refused synchronously, so the API can tell the customer the truth at once.
      validator: (_request: CancelRequest) => {
        const refusal = recorder.cancelRefusal();
        if (refusal) throw new Error(refusal);
      },
    },
  );
}

const OVERTURNED = Symbol('cancellation overturned');
