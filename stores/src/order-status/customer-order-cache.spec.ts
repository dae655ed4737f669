/**
 * The status read's cache against a database it must never contradict for longer than an
 * announcement takes: what it keeps, what an announcement takes away, and the reads it must not
 * keep (one that raced a change, one made while nothing was listening).
 */
import { CustomerOrderCache, type CustomerOrderSource } from './customer-order-cache';
import type { OrderReadChange, OrderReadChanges } from './order-read-changes';
import type { StoredOrder } from './order-status.store';

class Changes implements OrderReadChanges {
  listening = true;
  private readonly listeners: OrderReadChange[] = [];
  onChange(listener: OrderReadChange): void {
    this.listeners.push(listener);
  }
  announce(orderId: string | undefined): void {
    for (const listener of this.listeners) listener(orderId);
  }
}

/** The database: orders by id with their customer, and every query it answered. */
class Database implements CustomerOrderSource {
  readonly rows = new Map<string, { customerId: string; status: string }>();
  queries = 0;
  /** When set, a query waits for it before it reads (to change rows while one is under way). */
  gate: Promise<void> | undefined;
  async findCustomerOrder(customerId: string, orderId: string): Promise<StoredOrder | undefined> {
    this.queries += 1;
    await this.gate;
    const row = this.rows.get(orderId);
    if (!row || row.customerId !== customerId) return undefined;
    return { orderId, placedAt: '2026-11-30T00:00:00Z', view: { status: row.status } as never };
  }
}

const statusOf = (order: StoredOrder | undefined) =>
  (order?.view as { status?: string } | undefined)?.status;

describe('the status read cache', () => {
  let db: Database;
  let changes: Changes;
  let clock: number;
  const cache = (maxEntries = 10, maxAgeMs = 5_000) =>
    new CustomerOrderCache(db, changes, { maxEntries, maxAgeMs, now: () => clock });

  /** A read of o-1 by c-1 that has asked the database and waits for `open` to get its answer. */
  const readUnderWay = async (orders: CustomerOrderCache) => {
    let open!: () => void;
    db.gate = new Promise((resolve) => (open = resolve));
    const racing = orders.findCustomerOrder('c-1', 'o-1');
    await Promise.resolve();
    return { racing, open };
  };

  /** c-1's reads of `kept` answered from memory, and of `evicted` by the database. */
  const expectKeptAndEvicted = async (
    orders: CustomerOrderCache,
    kept: string[],
    evicted: string,
  ) => {
    db.queries = 0;
    for (const id of kept) await orders.findCustomerOrder('c-1', id);
    expect(db.queries).toBe(0);
    await orders.findCustomerOrder('c-1', evicted);
    expect(db.queries).toBe(1);
  };

  beforeEach(() => {
    db = new Database();
    changes = new Changes();
    clock = 0;
    db.rows.set('o-1', { customerId: 'c-1', status: 'CONFIRMED' });
  });

  it('answers a second read from memory, and the database again once the order changed', async () => {
    const orders = cache();
    expect(statusOf(await orders.findCustomerOrder('c-1', 'o-1'))).toBe('CONFIRMED');
    expect(statusOf(await orders.findCustomerOrder('c-1', 'o-1'))).toBe('CONFIRMED');
    expect(db.queries).toBe(1);

    db.rows.set('o-1', { customerId: 'c-1', status: 'CANCELLED' });
    changes.announce('o-1');
    expect(statusOf(await orders.findCustomerOrder('c-1', 'o-1'))).toBe('CANCELLED');
    expect(db.queries).toBe(2);
  });

  it("never answers another customer's order from memory, nor keeps an order not found", async () => {
    const orders = cache();
    await orders.findCustomerOrder('c-1', 'o-1');
    expect(await orders.findCustomerOrder('c-2', 'o-1')).toBeUndefined();
    expect(await orders.findCustomerOrder('c-2', 'o-1')).toBeUndefined();
    expect(await orders.findCustomerOrder('c-1', 'o-missing')).toBeUndefined();
    expect(await orders.findCustomerOrder('c-1', 'o-missing')).toBeUndefined();
    expect(db.queries).toBe(5);
    expect(orders.size).toBe(1);
  });

  it('does not keep what a read found while its order changed under it', async () => {
    const orders = cache();
    const { racing, open } = await readUnderWay(orders);
    // The read is under way and saw the old row; the change commits and is announced.
    const seen = { ...db.rows.get('o-1')! };
    db.rows.set('o-1', { customerId: 'c-1', status: 'CANCELLED' });
    changes.announce('o-1');
    db.rows.set('o-1', seen); // what the racing read's snapshot shows
    open();
    expect(statusOf(await racing)).toBe('CONFIRMED');
    db.gate = undefined;
    db.rows.set('o-1', { customerId: 'c-1', status: 'CANCELLED' });
    expect(statusOf(await orders.findCustomerOrder('c-1', 'o-1'))).toBe('CANCELLED');
  });

  it('keeps nothing while not listening, and forgets everything when announcements may be lost', async () => {
    const orders = cache();
    await orders.findCustomerOrder('c-1', 'o-1');
    expect(orders.size).toBe(1);
    changes.listening = false;
    changes.announce(undefined);
    expect(orders.size).toBe(0);
    db.rows.set('o-1', { customerId: 'c-1', status: 'CANCELLED' });
    expect(statusOf(await orders.findCustomerOrder('c-1', 'o-1'))).toBe('CANCELLED');
    expect(statusOf(await orders.findCustomerOrder('c-1', 'o-1'))).toBe('CANCELLED');
    expect(db.queries).toBe(3);
    expect(orders.size).toBe(0);

    // A read under way when listening stopped and started again is not kept either.
    changes.listening = true;
    const { racing, open } = await readUnderWay(orders);
    changes.announce(undefined);
    open();
    await racing;
    expect(orders.size).toBe(0);
  });

  it('does not keep a read that finished after listening stopped, announced or not', async () => {
    const orders = cache();
    const { racing, open } = await readUnderWay(orders);
    changes.listening = false;
    open();
    await racing;
    changes.listening = true;
    expect(orders.size).toBe(0);
  });

  it('forgets an order its caller changed, so the next read asks the database', async () => {
    const orders = cache();
    await orders.findCustomerOrder('c-1', 'o-1');
    db.rows.set('o-1', { customerId: 'c-1', status: 'CANCELLED' });
    orders.forget('o-1');
    expect(statusOf(await orders.findCustomerOrder('c-1', 'o-1'))).toBe('CANCELLED');
  });

  it('keeps no answer longer than its age limit, counted from when it was asked', async () => {
    const orders = cache(10, 5_000);
    await orders.findCustomerOrder('c-1', 'o-1');
    clock = 5_000;
    await orders.findCustomerOrder('c-1', 'o-1');
    expect(db.queries).toBe(1);
    clock = 5_001;
    await orders.findCustomerOrder('c-1', 'o-1');
    expect(db.queries).toBe(2);
  });

  it('holds at most its bound, forgetting the least recently read order first', async () => {
    const orders = cache(2);
    for (const id of ['o-2', 'o-3']) db.rows.set(id, { customerId: 'c-1', status: 'SHIPPED' });
    await orders.findCustomerOrder('c-1', 'o-1');
    await orders.findCustomerOrder('c-1', 'o-2');
    await orders.findCustomerOrder('c-1', 'o-1'); // o-2 is now the least recently read
    await orders.findCustomerOrder('c-1', 'o-3');
    expect(orders.size).toBe(2);
    await expectKeptAndEvicted(orders, ['o-1', 'o-3'], 'o-2');
  });

  it("does not let someone polling another customer's order id keep it from eviction", async () => {
    const orders = cache(2);
    for (const id of ['o-2', 'o-3']) db.rows.set(id, { customerId: 'c-1', status: 'SHIPPED' });
    await orders.findCustomerOrder('c-1', 'o-1');
    await orders.findCustomerOrder('c-1', 'o-2');
    // c-2 guesses o-1 over and over: refused each time, and o-1 stays the least recently read.
    for (let poll = 0; poll < 3; poll += 1)
      expect(await orders.findCustomerOrder('c-2', 'o-1')).toBeUndefined();
    await orders.findCustomerOrder('c-1', 'o-3');
    await expectKeptAndEvicted(orders, ['o-2', 'o-3'], 'o-1');
  });

  it('with a bound of 0 asks the database every time', async () => {
    const orders = cache(0);
    await orders.findCustomerOrder('c-1', 'o-1');
    await orders.findCustomerOrder('c-1', 'o-1');
    expect(db.queries).toBe(2);
  });
});
