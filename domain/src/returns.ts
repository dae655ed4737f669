/**
 * Returns: after the parcel has left, a customer may send back some or all of what they bought
 * within the return window. A return is authorized, then waits for the warehouse to record the
 * parcel back (or lapses), is restocked and refunded line by line, never more than was captured.
 * The workflow's return validator and the gateway ask these functions, so both refuse alike.
 */
import type { CustomerStatus, OrderStage } from './stages';
import type { OrderLine } from './order';

export interface ReturnLine {
  sku: string;
  quantity: number;
}

export type ReturnState = 'authorized' | 'received' | 'refunded' | 'lapsed';

export interface ReturnView {
  returnId: string;
  lines: (ReturnLine & { refundMinor: number })[];
  state: ReturnState;
  requestedAt: string;
  /** When the parcel must be back, or the return lapses (ISO 8601). */
  parcelDueBy: string;
  refundedMinor: number;
  /** When each later step happened (ISO 8601); absent until it has, and in older runs. */
  receivedAt?: string;
  refundedAt?: string;
  lapsedAt?: string;
}

/** A step of a return, in the order's history. */
export type ReturnStep = 'requested' | 'received' | 'refunded' | 'lapsed';

/** The state a return is in once a step has happened. */
const STATE_AFTER: Record<ReturnStep, ReturnState> = {
  requested: 'authorized',
  received: 'received',
  refunded: 'refunded',
  lapsed: 'lapsed',
};

export interface ReturnTimelineEntry {
  returnId: string;
  step: ReturnStep;
  at: string;
  /** The return's state after this step. */
  state: ReturnState;
}

/**
 * Every step of every return with the time it happened, oldest first. A step the view records
 * no time for (runs from before the times were kept) is left out rather than guessed.
 */
export function returnTimeline(returns: readonly ReturnView[]): ReturnTimelineEntry[] {
  const entries: ReturnTimelineEntry[] = [];
  for (const r of returns) {
    const times: [ReturnStep, string | undefined][] = [
      ['requested', r.requestedAt],
      ['received', r.receivedAt],
      ['refunded', r.refundedAt],
      ['lapsed', r.lapsedAt],
    ];
    for (const [step, at] of times) {
      if (at) entries.push({ returnId: r.returnId, step, at, state: STATE_AFTER[step] });
    }
  }
  // Stable: one return's steps keep their order when they share a millisecond.
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** Why a requested return is refused, naming the line when a line is the reason. */
export interface ReturnRefusal {
  type: 'not-dispatched' | 'return-window-closed' | 'unknown-line' | 'more-than-bought';
  message: string;
  sku?: string;
}

export interface ReturnFacts {
  stage: OrderStage;
  /** Epoch ms the return window closes; undefined until the delivery starts it. */
  windowClosesAt?: number;
  now: number;
}

/** Returns that are not lapsed hold their lines: they count against what may still be returned. */
export function returnedQuantities(returns: readonly ReturnView[]): Map<string, number> {
  const held = new Map<string, number>();
  for (const r of returns) {
    if (r.state === 'lapsed') continue;
    for (const line of r.lines) held.set(line.sku, (held.get(line.sku) ?? 0) + line.quantity);
  }
  return held;
}

/** Why this return cannot be accepted now, or null. The messages are for the customer. */
export function returnRefusal(
  items: readonly OrderLine[],
  returns: readonly ReturnView[],
  facts: ReturnFacts,
  lines: readonly ReturnLine[],
): ReturnRefusal | null {
  if (facts.stage !== 'Shipped' && facts.stage !== 'Delivered') {
    return { type: 'not-dispatched', message: 'a return can be requested once the order shipped' };
  }
  if (facts.windowClosesAt !== undefined && facts.now > facts.windowClosesAt) {
    return { type: 'return-window-closed', message: 'the return window has closed' };
  }
  const held = returnedQuantities(returns);
  const asked = new Map<string, number>();
  for (const line of lines) asked.set(line.sku, (asked.get(line.sku) ?? 0) + line.quantity);
  for (const [sku, quantity] of asked) {
    const bought = items.filter((i) => i.sku === sku).reduce((n, i) => n + i.quantity, 0);
    if (bought === 0) {
      return { type: 'unknown-line', sku, message: `${sku} is not part of this order` };
    }
    const left = bought - (held.get(sku) ?? 0);
    if (quantity > left) {
      return {
        type: 'more-than-bought',
        sku,
        message: `${sku}: ${quantity} asked, ${left} of ${bought} left to return`,
      };
    }
  }
  return null;
}

/** What each returned line refunds: the price it was bought at. */
export function refundLines(
  items: readonly OrderLine[],
  lines: readonly ReturnLine[],
): ReturnView['lines'] {
  return lines.map(({ sku, quantity }) => ({
    sku,
    quantity,
    refundMinor: quantity * (items.find((i) => i.sku === sku)?.unitPriceMinor ?? 0),
  }));
}

/** The customer status a return gives an order, or null when returns say nothing. */
export function customerStatusOfReturns(
  returns: readonly Pick<ReturnView, 'state'>[],
): CustomerStatus | null {
  if (returns.some((r) => r.state === 'authorized')) return 'RETURN_REQUESTED';
  if (returns.some((r) => r.state === 'received')) return 'RETURNED';
  if (returns.some((r) => r.state === 'refunded')) return 'REFUNDED';
  return null;
}

/** What an order's returns say to operators, as its `ReturnState`/`ReturnDeadline` attributes. */
export interface ReturnSearchFields {
  /** null: the order has no returns (the attribute stays unset). */
  state: 'open' | 'settled' | null;
  /** The earliest `parcelDueBy` of the returns still waiting for their parcel, or null. */
  deadline: string | null;
}

/** A return is open until refunded or lapsed: waiting for its parcel, or received and unrefunded. */
export const isOpenReturn = (r: Pick<ReturnView, 'state'>): boolean =>
  r.state === 'authorized' || r.state === 'received';

export function returnSearchFields(returns: readonly ReturnView[]): ReturnSearchFields {
  if (returns.length === 0) return { state: null, deadline: null };
  const due = returns
    .filter((r) => r.state === 'authorized')
    .map((r) => r.parcelDueBy)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return { state: returns.some(isOpenReturn) ? 'open' : 'settled', deadline: due[0] ?? null };
}
