/**
 * Returns after dispatch (domain/src/returns.ts), inside the order's own run: a request is an
 * update whose validator refuses before dispatch, after the return window or for more than was
 * bought; an accepted return is authorized at once and then followed on its own: a durable
 * timer for the parcel to come back (the `returnReceived` signal), the stock restocked, the
 * capture refunded line by line (never more than was captured), or the return lapses. The run
 * stays open until the return window has closed and every return has settled. Runs started with
 * the `return-search-attributes` patch keep `ReturnState` and `ReturnDeadline` up to date, so
 * operators find open returns (and overdue parcels) in the Web UI.
 */
import {
  ApplicationFailure,
  condition,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import {
  type NotificationKind,
  refundLines,
  returnRefusal,
  returnSearchFields,
  type ReturnView,
  type StagePolicy,
} from '@order-platform/domain';
import {
  requestReturnUpdate,
  returnParcelReceivedUpdate,
  type ReturnReceived,
  type ReturnRequest,
  returnReceivedSignal,
} from '../messages';
import { RETURN_SEARCH_ATTRIBUTES } from '../changes';
import { iso } from '../order-recorder';
import type { OrderRun } from '../run-context';
import { returnSearchAttributes } from '../search-attributes';
import { waitForFactOrDeadline } from '../wait';

export class OrderReturns {
  readonly records: ReturnView[] = [];
  /** The policy's return window, once the policy is loaded. */
  windowMs?: number;
  /** Epoch ms the window for new requests closes: set by the delivery. */
  windowClosesAt?: number;
  private readonly received = new Set<string>();
  private readonly told = new Map<string, NotificationKind[]>();
  private open = 0;
  private upsertsSearchAttributes = false;

  /** Registers the update and the signal: from the first moment of the run, like every fact. */
  listen(run: OrderRun): void {
    this.upsertsSearchAttributes = run.changes(RETURN_SEARCH_ATTRIBUTES);
    setHandler(returnReceivedSignal, ({ returnId }) => void this.received.add(returnId));
    // The webhook's way: like the signal, but a parcel the order can no longer take is refused.
    setHandler(
      returnParcelReceivedUpdate,
      ({ returnId }) => {
        this.received.add(returnId);
        const record = this.records.find((r) => r.returnId === returnId)!;
        return { ...record, lines: record.lines.map((line) => ({ ...line })) };
      },
      { validator: (fact: ReturnReceived) => this.validateParcel(fact) },
    );
    setHandler(
      requestReturnUpdate,
      async (request) => {
        const record = await this.authorize(run, request);
        this.open += 1;
        // Followed on its own: the update answers now, the parcel may take the whole window.
        void this.follow(run, record).finally(() => (this.open -= 1));
        return { ...record, lines: record.lines.map((line) => ({ ...line })) };
      },
      { validator: (request: ReturnRequest) => this.validate(run, request) },
    );
  }

  /** Starts the window for new requests: it runs from the delivery. */
  delivered(): void {
    if (this.windowMs !== undefined) this.windowClosesAt = Date.now() + this.windowMs;
  }

  /** Keeps the run open until the window has closed and every return has settled. */
  async settle(policy: StagePolicy): Promise<void> {
    this.windowClosesAt ??= Date.now() + policy.returnWindowMs;
    await waitForFactOrDeadline(() => undefined, this.windowClosesAt);
    await condition(() => this.open === 0);
  }

  private validateParcel(fact: ReturnReceived): void {
    const record = this.records.find((r) => r.returnId === fact?.returnId);
    if (!record) {
      throw ApplicationFailure.create({
        type: 'return-not-found',
        message: `this order has no return ${String(fact?.returnId)}`,
        nonRetryable: true,
      });
    }
    if (record.state === 'lapsed') {
      throw ApplicationFailure.create({
        type: 'return-lapsed',
        message: `return ${record.returnId} lapsed: its parcel was due by ${record.parcelDueBy}; an operator settles it`,
        nonRetryable: true,
      });
    }
  }

  private validate(run: OrderRun, request: ReturnRequest): void {
    const lines = Array.isArray(request?.lines) ? request.lines : [];
    const malformed = lines.find((l) => !l?.sku || !Number.isInteger(l.quantity) || l.quantity < 1);
    if (lines.length === 0 || malformed) {
      throw ApplicationFailure.create({
        type: 'invalid-return',
        message: malformed
          ? `${malformed.sku ?? 'a line'}: a sku and a positive whole quantity`
          : 'a return names at least one line',
        nonRetryable: true,
      });
    }
    const refusal = returnRefusal(
      run.order.items,
      this.records,
      { stage: run.recorder.stage, windowClosesAt: this.windowClosesAt, now: Date.now() },
      lines,
    );
    if (refusal) {
      throw ApplicationFailure.create({
        type: refusal.type,
        message: refusal.message,
        details: refusal.sku ? [refusal.sku] : [],
        nonRetryable: true,
      });
    }
  }

  private async authorize(run: OrderRun, request: ReturnRequest): Promise<ReturnView> {
    const { order, recorder } = run;
    const now = Date.now();
    const record: ReturnView = {
      returnId: `return-${order.orderId}-${this.records.length + 1}`,
      lines: refundLines(order.items, request.lines),
      state: 'authorized',
      requestedAt: iso(now),
      parcelDueBy: iso(now + this.windowMs!),
      refundedMinor: 0,
    };
    this.records.push(record);
    this.changed();
    await recorder.record({
      events: [
        {
          type: 'ReturnAuthorized',
          payload: {
            returnId: record.returnId,
            lines: record.lines,
            requestedBy: request.requestedBy,
            parcelDueBy: record.parcelDueBy,
          },
        },
      ],
    });
    await this.notify(run, record, 'return-authorized');
    return record;
  }

  private async follow(run: OrderRun, record: ReturnView): Promise<void> {
    try {
      const back = await waitForFactOrDeadline(
        () => (this.received.has(record.returnId) ? true : undefined),
        Date.parse(record.parcelDueBy),
      );
      if (back === 'deadline') return await this.lapse(run, record);
      record.state = 'received';
      record.receivedAt = iso(Date.now());
      this.changed();
      await run.recorder.record({
        events: [{ type: 'ReturnReceived', payload: { returnId: record.returnId } }],
      });
      await this.restock(run, record);
      await this.refund(run, record);
    } catch (error) {
      // A downstream refused for good: an operator settles it; the order itself is unaffected.
      await run.recorder.record({
        needsAttention: `ReturnNotSettled:${record.returnId}`,
        events: [
          {
            type: 'CompensationFailed',
            payload: { returnId: record.returnId, error: (error as Error).message },
          },
        ],
      });
    }
  }

  private async lapse(run: OrderRun, record: ReturnView): Promise<void> {
    record.state = 'lapsed';
    record.lapsedAt = iso(Date.now());
    this.changed();
    await run.recorder.record({
      events: [{ type: 'ReturnLapsed', payload: { returnId: record.returnId } }],
    });
    await this.notify(run, record, 'return-lapsed');
  }

  private async restock(run: OrderRun, record: ReturnView): Promise<void> {
    const lines = record.lines.map(({ sku, quantity }) => ({ sku, quantity }));
    await run.downstreams.inventory.call.restockInventory({
      step: `restock-${record.returnId}`,
      orderId: run.order.orderId,
      returnId: record.returnId,
      lines,
    });
    await run.recorder.record({
      events: [{ type: 'InventoryRestocked', payload: { returnId: record.returnId, lines } }],
    });
  }

  /** One refund per line, each within what is left of the capture after every other refund. */
  private async refund(run: OrderRun, record: ReturnView): Promise<void> {
    const capture = run.facts.capture!;
    const events: Parameters<OrderRun['recorder']['record']>[0]['events'] = [];
    for (const line of record.lines) {
      const refunded = this.records.reduce((sum, r) => sum + r.refundedMinor, 0);
      const amountMinor = Math.min(line.refundMinor, capture.amountMinor - refunded);
      if (amountMinor <= 0) continue;
      // Counted before the call, so a concurrent return cannot spend the same part of the capture.
      record.refundedMinor += amountMinor;
      const { refundId } = await run.downstreams.payment.call.refundCapture({
        step: `refund-${record.returnId}-${line.sku}`,
        captureId: capture.captureId,
        amountMinor,
      });
      events.push({
        type: 'PaymentRefunded',
        payload: { returnId: record.returnId, sku: line.sku, refundId, amountMinor },
      });
    }
    record.state = 'refunded';
    record.refundedAt = iso(Date.now());
    this.changed();
    await run.recorder.record({ events });
    await this.notify(run, record, 'refunded');
  }

  /** A return changed state: what operators search by follows (patched runs). */
  private changed(): void {
    if (this.upsertsSearchAttributes) {
      upsertSearchAttributes(returnSearchAttributes(returnSearchFields(this.records)));
    }
  }

  private async notify(run: OrderRun, record: ReturnView, kind: NotificationKind): Promise<void> {
    const told = this.told.get(record.returnId) ?? [];
    if (!(await run.notifyOfReturn(record.returnId, told, kind))) return;
    this.told.set(record.returnId, [...told, kind]);
  }
}
