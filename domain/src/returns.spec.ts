import { mayNotify } from './notifications';
import {
  customerStatusOfReturns,
  refundLines,
  returnRefusal,
  returnSearchFields,
  returnTimeline,
  type ReturnView,
} from './returns';

const items = [
  { sku: 'SKU-1', quantity: 2, unitPriceMinor: 2_500 },
  { sku: 'SKU-2', quantity: 1, unitPriceMinor: 4_000 },
];
const now = Date.parse('2026-12-01T10:00:00Z');
const delivered = { stage: 'Delivered' as const, windowClosesAt: now + 1_000, now };

const aReturn = (state: ReturnView['state'], quantity = 1): ReturnView => ({
  returnId: 'return-o-1-1',
  lines: refundLines(items, [{ sku: 'SKU-1', quantity }]),
  state,
  requestedAt: '2026-12-01T09:00:00Z',
  parcelDueBy: '2026-12-31T09:00:00Z',
  refundedMinor: 0,
});

describe('a customer asking to return what they bought', () => {
  it('may return some or all of a shipped or delivered order within the window', () => {
    expect(returnRefusal(items, [], delivered, [{ sku: 'SKU-1', quantity: 2 }])).toBeNull();
    expect(
      returnRefusal(items, [], { stage: 'Shipped', now }, [{ sku: 'SKU-2', quantity: 1 }]),
    ).toBeNull();
  });

  it('is refused before dispatch and after the window', () => {
    const line = [{ sku: 'SKU-1', quantity: 1 }];
    expect(returnRefusal(items, [], { stage: 'ReadyForFulfillment', now }, line)?.type).toBe(
      'not-dispatched',
    );
    expect(returnRefusal(items, [], { ...delivered, now: now + 2_000 }, line)?.type).toBe(
      'return-window-closed',
    );
  });

  it('names the line asked for more than was bought and not already returned', () => {
    expect(
      returnRefusal(items, [aReturn('refunded')], delivered, [{ sku: 'SKU-1', quantity: 2 }]),
    ).toEqual({
      type: 'more-than-bought',
      sku: 'SKU-1',
      message: 'SKU-1: 2 asked, 1 of 2 left to return',
    });
    expect(returnRefusal(items, [], delivered, [{ sku: 'SKU-9', quantity: 1 }])?.sku).toBe('SKU-9');
  });

  it('gives back a lapsed return’s lines to return again', () => {
    expect(
      returnRefusal(items, [aReturn('lapsed', 2)], delivered, [{ sku: 'SKU-1', quantity: 2 }]),
    ).toBeNull();
  });

  it('refunds each line at the price it was bought at', () => {
    expect(refundLines(items, [{ sku: 'SKU-1', quantity: 1 }])).toEqual([
      { sku: 'SKU-1', quantity: 1, refundMinor: 2_500 },
    ]);
  });

  it('tells the customer where their return stands; a lapsed one says nothing', () => {
    expect(customerStatusOfReturns([aReturn('authorized')])).toBe('RETURN_REQUESTED');
    expect(customerStatusOfReturns([aReturn('received')])).toBe('RETURNED');
    expect(customerStatusOfReturns([aReturn('refunded')])).toBe('REFUNDED');
    expect(customerStatusOfReturns([aReturn('lapsed')])).toBeNull();
  });

  it('notifies of a return only after shipping, and ends it refunded or lapsed, not both', () => {
    expect(mayNotify(['confirmed'], 'return-authorized')).toBe(false);
    expect(mayNotify(['confirmed', 'shipped', 'delivered'], 'return-authorized')).toBe(true);
    expect(mayNotify(['shipped', 'delivered', 'return-authorized'], 'refunded')).toBe(true);
    expect(mayNotify(['shipped', 'return-authorized', 'return-lapsed'], 'refunded')).toBe(false);
    expect(mayNotify(['shipped', 'delivered'], 'refunded')).toBe(false);
  });
});

describe('what returns tell operators (search attributes)', () => {
  const due = (state: ReturnView['state'], returnId: string, parcelDueBy: string) => ({
    ...aReturn(state),
    returnId,
    parcelDueBy,
  });

  it('says nothing for an order without returns', () => {
    expect(returnSearchFields([])).toEqual({ state: null, deadline: null });
  });

  it('is open with the earliest parcel still awaited as the deadline', () => {
    const returns = [
      due('authorized', 'r-1', '2026-12-31T09:00:00Z'),
      due('refunded', 'r-2', '2026-12-01T09:00:00Z'),
      due('authorized', 'r-3', '2026-12-20T09:00:00Z'),
    ];
    expect(returnSearchFields(returns)).toEqual({
      state: 'open',
      deadline: '2026-12-20T09:00:00Z',
    });
  });

  it('stays open without a deadline while a parcel that is back waits for its refund', () => {
    expect(returnSearchFields([due('received', 'r-1', '2026-12-31T09:00:00Z')])).toEqual({
      state: 'open',
      deadline: null,
    });
  });

  it('is settled once every return is refunded or lapsed', () => {
    const returns = [aReturn('refunded'), { ...aReturn('lapsed'), returnId: 'r-2' }];
    expect(returnSearchFields(returns)).toEqual({ state: 'settled', deadline: null });
  });
});

describe("a return's steps in time", () => {
  it('lists each step that has a time, oldest first, across returns', () => {
    const first = {
      ...aReturn('refunded'),
      receivedAt: '2026-12-03T09:00:00Z',
      refundedAt: '2026-12-03T09:00:01Z',
    };
    const second = {
      ...aReturn('lapsed'),
      returnId: 'r-2',
      requestedAt: '2026-12-02T09:00:00Z',
      lapsedAt: '2026-12-04T09:00:00Z',
    };
    expect(returnTimeline([first, second]).map((e) => [e.returnId, e.step, e.state])).toEqual([
      ['return-o-1-1', 'requested', 'authorized'],
      ['r-2', 'requested', 'authorized'],
      ['return-o-1-1', 'received', 'received'],
      ['return-o-1-1', 'refunded', 'refunded'],
      ['r-2', 'lapsed', 'lapsed'],
    ]);
  });
});
