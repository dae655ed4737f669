/**
 * The steady streams of orders a fault hits: platform orders started on Temporal the way the
 * gateway starts them (workflow id from the order id, use-existing, retried until accepted, as
 * a customer retries a 503), and monolith orders placed over its HTTP API, which the mirror and
 * the signal bridge carry to the platform. An order counts once its start was acknowledged:
 * those are the promises the fault must not break.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { type PlacedOrder, workflowIdForOrder } from '@order-platform/domain';
import { monolithCall } from '../testing/legacy-monolith';

export interface StreamedOrder {
  orderId: string;
  customerId: string;
  sku: string;
  quantity: number;
  unitPriceMinor: number;
  origin: 'platform' | 'legacy';
}

/** How long a customer keeps retrying one submission while the platform is down. */
const SUBMIT_PATIENCE_MS = 120_000;
const RETRY_EVERY_MS = 500;

/** What every streamed order's line costs (the monolith's sku is priced at it). */
export const STREAM_UNIT_PRICE_MINOR = 1_250;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

abstract class OrderStream {
  readonly accepted: StreamedOrder[] = [];
  /** Submissions the platform refused (never acknowledged): not promises, so not checked. */
  refused = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(
    protected readonly label: string,
    readonly sku: string,
  ) {}

  /** Places `count` orders, one every `intervalMs`, each awaited in the background. */
  async run({ count, intervalMs }: { count: number; intervalMs: number }): Promise<void> {
    const placing: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      placing.push(this.placeOne(i));
      await pause(intervalMs);
    }
    await Promise.all(placing);
    // Nobody waits for more than will ever come.
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  /** Resolves once `count` orders are accepted (the moment a fault is injected). */
  afterAccepted(count: number): Promise<void> {
    if (this.accepted.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  protected record(order: StreamedOrder): void {
    this.accepted.push(order);
    this.waiters = this.waiters.filter((waiter) => {
      if (this.accepted.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }

  protected newLine(i: number): Omit<StreamedOrder, 'orderId' | 'origin'> {
    const id = randomUUID().slice(0, 8);
    return {
      customerId: `c-${this.label}-${id}`,
      sku: this.sku,
      // 1 to 3 units, so a double reservation cannot hide behind equal quantities.
      quantity: 1 + (i % 3),
      unitPriceMinor: STREAM_UNIT_PRICE_MINOR,
    };
  }

  protected abstract placeOne(i: number): Promise<void>;
}

export class PlatformOrderStream extends OrderStream {
  constructor(
    label: string,
    sku: string,
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {
    super(label, sku);
  }

  protected async placeOne(i: number): Promise<void> {
    const line = this.newLine(i);
    const order: PlacedOrder = {
      orderId: `fault-${this.label}-${randomUUID().slice(0, 8)}`,
      customerId: line.customerId,
      segment: 'standard',
      items: [{ sku: line.sku, quantity: line.quantity, unitPriceMinor: line.unitPriceMinor }],
      currency: 'EUR',
      expedited: false,
      placedAt: new Date().toISOString(),
    };
    const deadline = Date.now() + SUBMIT_PATIENCE_MS;
    for (;;) {
      try {
        // By type name, as the gateway's client reaches it; twice is not an error.
        await this.temporal.workflow.start('orderLifecycle', {
          taskQueue: this.taskQueue,
          workflowId: workflowIdForOrder(order.orderId),
          workflowIdConflictPolicy: 'USE_EXISTING',
          args: [order],
        });
        this.record({ ...line, orderId: order.orderId, origin: 'platform' });
        return;
      } catch {
        if (Date.now() > deadline) {
          this.refused++;
          return;
        }
        await pause(RETRY_EVERY_MS);
      }
    }
  }
}

export class MonolithOrderStream extends OrderStream {
  constructor(
    label: string,
    sku: string,
    private readonly monolithUrl: string,
  ) {
    super(label, sku);
  }

  /**
   * One attempt: the monolith takes no idempotency key, so a blind retry could place a second
   * order. A refused submission is simply not a promise.
   */
  protected async placeOne(i: number): Promise<void> {
    const line = this.newLine(i);
    try {
      const reply = await monolithCall(this.monolithUrl, 'POST', '/orders', {
        customerId: line.customerId,
        items: [{ sku: line.sku, quantity: line.quantity }],
      });
      this.record({ ...line, orderId: String(reply.orderId), origin: 'legacy' });
    } catch {
      this.refused++;
    }
  }
}
