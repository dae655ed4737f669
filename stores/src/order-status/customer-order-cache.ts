/**
 * The status read's stored order from memory while nothing changed: a customer's order as
 * OrderStatusStore.findCustomerOrder found it, kept until PostgreSQL announces a change to that
 * order (OrderReadChanges). It answers what the database would, up to the moment a committed
 * change takes to be announced, as a read that reached the database just before the commit
 * would. It keeps the stored order, not the answer: the gateway judges CONFIRMED against the
 * holds' expiries at each read's instant (keeping an answer only while the clock cannot change it).
 *
 * It keeps nothing while not listening (every read goes to the database), forgets everything
 * when it may have missed an announcement, and never keeps an answer read while its order
 * changed: a read registers itself before it queries, and an announcement for that order
 * cancels the registration. Bounded: the least recently read order goes first, and no answer
 * is kept longer than `maxAgeMs`, whatever was announced.
 */
import { LeastRecentlyUsed } from '../support/least-recently-used';
import type { OrderReadChanges } from './order-read-changes';
import type { StoredOrder } from './order-status.store';

export interface CustomerOrderSource {
  findCustomerOrder(customerId: string, orderId: string): Promise<StoredOrder | undefined>;
}

interface Entry {
  customerId: string;
  order: StoredOrder;
  /** When the read that found it was asked: its age counts from there. */
  keptAt: number;
}

export interface CustomerOrderCacheLimits {
  /** 0 keeps nothing. */
  maxEntries: number;
  maxAgeMs: number;
  now?: () => number;
}

export class CustomerOrderCache implements CustomerOrderSource {
  private readonly entries: LeastRecentlyUsed<string, Entry>;
  /** Reads under way, by order: the one whose answer may be kept. */
  private readonly reading = new Map<string, symbol>();
  /** Monotonic: a wall clock stepped back would make an entry look younger than it is. */
  private readonly now: () => number;

  constructor(
    private readonly source: CustomerOrderSource,
    private readonly changes: OrderReadChanges,
    private readonly limits: CustomerOrderCacheLimits,
  ) {
    this.entries = new LeastRecentlyUsed(limits.maxEntries);
    this.now = limits.now ?? (() => performance.now());
    changes.onChange((orderId) => {
      if (orderId === undefined) {
        this.entries.clear();
        this.reading.clear();
      } else this.forget(orderId);
    });
  }

  /**
   * Forgets an order the caller itself just changed (a cancel before it started, say), so its
   * customer's next read does not wait for the announcement to see it.
   */
  forget(orderId: string): void {
    this.entries.delete(orderId);
    this.reading.delete(orderId);
  }

  /** Orders held now; one past its age counts until it is read again or evicted. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether reads are answered from memory now (on, and every change announced). */
  get serving(): boolean {
    return this.limits.maxEntries > 0 && this.changes.listening;
  }

  async findCustomerOrder(customerId: string, orderId: string): Promise<StoredOrder | undefined> {
    if (!this.serving) return this.source.findCustomerOrder(customerId, orderId);
    let kept = this.entries.peek(orderId);
    if (kept && this.now() - kept.keptAt > this.limits.maxAgeMs) {
      this.entries.delete(orderId);
      kept = undefined;
    }
    if (kept?.customerId === customerId) {
      // Only its customer's reads keep it: polling someone else's order id does not.
      this.entries.touch(orderId);
      return kept.order;
    }
    // Someone else's order (or none) is for the database to refuse, as it does uncached.
    if (kept) return this.source.findCustomerOrder(customerId, orderId);
    const read = Symbol(orderId);
    const askedAt = this.now();
    this.reading.set(orderId, read);
    try {
      const order = await this.source.findCustomerOrder(customerId, orderId);
      if (order && this.reading.get(orderId) === read && this.changes.listening) {
        this.entries.set(orderId, { customerId, order, keptAt: askedAt });
      }
      return order;
    } finally {
      if (this.reading.get(orderId) === read) this.reading.delete(orderId);
    }
  }
}
