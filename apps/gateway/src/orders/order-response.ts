/**
 * What a customer reads about an order, made from the workflow's status view with the gateway's
 * own clock: the status is recomputed through the domain's one mapping (so CONFIRMED still means
 * all three commitments are held *now*, and `delayed` turns on the moment a deadline passes,
 * even if the projection is older), and only customer-safe fields leave.
 */
import {
  CUSTOMER_STATUS_OF_STAGE,
  type CustomerStatus,
  customerViewOf,
  NOT_STARTED_REASON,
  customerStatusOfReturns,
  customerViewSteadyUntil,
  neverStarted,
  type OrderStatusView,
  type ReturnState,
  type ReturnStep,
  returnTimeline,
  type ReturnView,
} from '@order-platform/domain';

export interface OrderResponse {
  orderId: string;
  status: CustomerStatus;
  statusLabel: string;
  /** Only for an order whose workflow never started (expired, or cancelled before it started). */
  statusReason?: typeof NOT_STARTED_REASON;
  since: string;
  delayed: boolean;
  delayReason: string | null;
  expectedBy: string | null;
  cancellable: boolean;
  items: { sku: string; quantity: number; unitPrice: number }[];
  shipping: 'standard' | 'expedited';
  shippingPrice: number;
  total: number;
  currency: string;
  history: HistoryEntry[];
  returns?: ReturnResponse[];
  stale: boolean;
  links: { self: string; cancel?: string };
}

/** A change of the customer's status, or a step of a return (with the return it is about). */
export interface HistoryEntry {
  status: CustomerStatus;
  at: string;
  returnId?: string;
  returnStep?: ReturnStep;
}

export interface ReturnResponse {
  returnId: string;
  state: ReturnView['state'];
  lines: { sku: string; quantity: number; refund: number }[];
  requestedAt: string;
  parcelDueBy: string;
  receivedAt?: string;
  refundedAt?: string;
  lapsedAt?: string;
  refunded: number;
}

export const returnResponse = (r: ReturnView): ReturnResponse => ({
  returnId: r.returnId,
  state: r.state,
  lines: r.lines.map(({ sku, quantity, refundMinor }) => ({ sku, quantity, refund: refundMinor })),
  requestedAt: r.requestedAt,
  parcelDueBy: r.parcelDueBy,
  ...(r.receivedAt ? { receivedAt: r.receivedAt } : {}),
  ...(r.refundedAt ? { refundedAt: r.refundedAt } : {}),
  ...(r.lapsedAt ? { lapsedAt: r.lapsedAt } : {}),
  refunded: r.refundedMinor,
});

export const orderPath = (orderId: string): string => `/v1/orders/${encodeURIComponent(orderId)}`;

/**
 * The customer's history, oldest first: each change of customer status once, starting with
 * RECEIVED, and every step of every return (requested, received, refunded, lapsed), each with
 * the status the order read from then on, by the same rule as the status itself (an open or
 * settled return says more than the stage).
 */
export function customerHistory(view: OrderStatusView): OrderResponse['history'] {
  const history: OrderResponse['history'] = [{ status: 'RECEIVED', at: view.placedAt }];
  const returnStates = new Map<string, ReturnState>();
  let stageStatus: CustomerStatus = 'RECEIVED';
  const statusNow = () =>
    customerStatusOfReturns([...returnStates.values()].map((state) => ({ state }))) ?? stageStatus;
  const steps = returnTimeline(view.returns ?? []);
  let next = 0;
  const returnStepsUntil = (at: string | undefined) => {
    for (; next < steps.length; next += 1) {
      const step = steps[next]!;
      if (at !== undefined && Date.parse(step.at) >= Date.parse(at)) return;
      returnStates.set(step.returnId, step.state);
      history.push({
        status: statusNow(),
        at: step.at,
        returnId: step.returnId,
        returnStep: step.step,
      });
    }
  };
  for (const transition of view.history) {
    returnStepsUntil(transition.at);
    stageStatus = CUSTOMER_STATUS_OF_STAGE[transition.stage];
    const status = statusNow();
    if (status !== history[history.length - 1]!.status) history.push({ status, at: transition.at });
  }
  returnStepsUntil(undefined);
  return history;
}

export function orderResponse(
  view: OrderStatusView,
  options: { now: Date; stale: boolean },
): OrderResponse {
  const customer = customerViewOf({
    stage: view.stage,
    stageEnteredAt: view.stageEnteredAt,
    stageDeadline: view.stageDeadline,
    commitments: view.commitments,
    returns: view.returns,
    now: options.now.toISOString(),
  });
  const self = orderPath(view.orderId);
  return {
    orderId: view.orderId,
    status: customer.status,
    statusLabel: customer.statusLabel,
    ...(neverStarted(view) ? { statusReason: NOT_STARTED_REASON } : {}),
    since: customer.since,
    delayed: customer.delayed,
    delayReason: customer.delayReason,
    expectedBy: customer.expectedBy,
    cancellable: view.cancellable,
    items: view.items.map((line) => ({
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: line.unitPriceMinor,
    })),
    shipping: view.expedited ? 'expedited' : 'standard',
    // The total is what was authorized: lines plus shipping, so shipping is what the lines leave.
    shippingPrice:
      view.totalMinor - view.items.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0),
    total: view.totalMinor,
    currency: view.currency,
    history: customerHistory(view),
    ...(view.returns?.length ? { returns: view.returns.map(returnResponse) } : {}),
    stale: options.stale,
    links: view.cancellable ? { self, cancel: `${self}/cancel` } : { self },
  };
}

/**
 * Answers kept by the stored order they were made from (by identity: the status read's cache
 * hands back the same object until its order changes, and a row read from the database is a new
 * object), each for as long as `customerViewSteadyUntil` says the clock alone cannot change it,
 * and only with the same `stale` flag, and never for a clock that reads earlier than when it was
 * made. Kept weakly: an answer goes with its stored order. A kept answer is shared by every read
 * it serves, so it is frozen: code that tried to change it would throw, not tell the next
 * customer something else.
 */
export class SteadyOrderResponses {
  private readonly kept = new WeakMap<
    object,
    { stale: boolean; from: number; until: number; response: OrderResponse }
  >();

  respond(
    stored: object,
    view: () => OrderStatusView,
    options: { now: number; stale: boolean },
  ): OrderResponse {
    const { now, stale } = options;
    const kept = this.kept.get(stored);
    // `from` too: a wall clock stepped back may stand before a threshold the answer has passed.
    if (kept && kept.stale === stale && kept.from <= now && now < kept.until) return kept.response;
    const made = view();
    const response = deepFreeze(orderResponse(made, { now: new Date(now), stale }));
    const until = customerViewSteadyUntil(made, now);
    this.kept.set(stored, { stale, from: now, until, response });
    return response;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
