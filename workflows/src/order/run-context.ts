/**
 * The run context of an order workflow: the order, its recorder, the facts collected from
 * signals and updates, the saga, the downstream calls and the customer notifications. Every
 * stage (order/stages/) takes it as its first argument. Starting a run registers the order's
 * query, signal and update handlers, so facts are collected from the first moment.
 */
import { ApplicationFailure, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  isCancellable,
  isTerminal,
  mayNotify,
  type NotificationKind,
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
  orderDeliveredSignal,
  orderStatusQuery,
  shipmentDispatchedSignal,
} from './messages';
import { OrderRecorder } from './order-recorder';
import { Saga } from './saga';
import { OrderEnds } from './stages/ending';
import { waitForFactOrDeadline } from './wait';

/** What the outside world has told the order so far (each fact is kept once, the first time). */
export interface OrderFacts {
  fraud?: FraudDecision;
  review?: ManualReviewDecision;
  dispatched: boolean;
  delivered: boolean;
  cancel?: CancelRequest;
}

export interface OrderRun {
  readonly order: PlacedOrder;
  readonly recorder: OrderRecorder;
  readonly facts: OrderFacts;
  readonly saga: Saga;
  readonly downstreams: Bulkheads;
  /** Holds taken so far, against the policy's limits on taking them again after a lapse. */
  readonly taken: { reservations: number; authorizations: number };
  /** Tells the customer, at most once per kind (the notification rules of the domain). */
  notify(kind: NotificationKind): Promise<void>;
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

export function startOrderRun(order: PlacedOrder): OrderRun {
  const recorder = new OrderRecorder(order, workflowInfo().workflowId, 'new');
  const downstreams = bulkheads(workflowInfo().taskQueue);
  const saga = new Saga(recorder);
  const facts: OrderFacts = { dispatched: false, delivered: false };
  const notified: NotificationKind[] = [];
  const run: OrderRun = {
    order,
    recorder,
    facts,
    saga,
    downstreams,
    taken: { reservations: 0, authorizations: 0 },
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
  return run;
}

function listenForFacts({ recorder, facts }: OrderRun): void {
  setHandler(orderStatusQuery, () => recorder.view());
  setHandler(fraudDecisionSignal, (decision) => void (facts.fraud ??= decision));
  setHandler(manualReviewDecisionSignal, (decision) => {
    if (recorder.stage === 'ManualReviewRequired') facts.review ??= decision;
  });
  setHandler(shipmentDispatchedSignal, () => void (facts.dispatched = true));
  setHandler(orderDeliveredSignal, () => void (facts.delivered = true));
  setHandler(
    cancelOrderUpdate,
    async (request) => {
      facts.cancel ??= request;
      // Answered once the order has ended, with how it ended.
      return waitForFactOrDeadline(
        () => (isTerminal(recorder.stage) ? recorder.view() : undefined),
        null,
      );
    },
    {
      // Refused synchronously, so the API can tell the customer the truth at once.
      validator: (_request: CancelRequest) => {
        if (!isCancellable(recorder.stage)) {
          throw new Error(
            `the order is ${recorder.view().customer.status} and can no longer be cancelled`,
          );
        }
        if (facts.cancel) throw new Error('a cancellation is already in progress');
      },
    },
  );
}
