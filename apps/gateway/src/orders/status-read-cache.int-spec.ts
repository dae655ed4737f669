/**
 * The status read's cache and the announcements it trusts, on the stack's real PostgreSQL:
 * every committed change to an order's read (its projection, its submission) is announced with
 * its id, nothing is announced for a change rolled back, a lost listening connection or a
 * disabled trigger stops the cache at once and is made again, and the cache over the real store
 * answers each change once it is announced.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { eventually } from '@order-platform/tools';
import { admittedOrderView, type PlacedOrder } from '@order-platform/domain';
import {
  CustomerOrderCache,
  OrderStatusStore,
  OrderSubmissionStore,
  platformDataSource,
  PostgresOrderReadChanges,
  TypeOrmOrderStatusProjector,
} from '@order-platform/stores';
import { placedOrderOf, suiteDatabaseUrl } from '@order-platform/stores/testing';

const APPLICATION = `order-read-changes-spec-${randomUUID().slice(0, 8)}`;
const quietLogger = { warn: () => undefined, info: () => undefined };

describe('order read changes (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let changes: PostgresOrderReadChanges;
  let announced: (string | undefined)[];
  /** Beside each announcement: whether it was listening then. */
  let listeningWhenAnnounced: boolean[];

  beforeAll(async () => {
    const url = suiteDatabaseUrl();
    dataSource = await platformDataSource(url, { applicationName: 'order-read-spec' }).initialize();
    changes = new PostgresOrderReadChanges(url, {
      applicationName: APPLICATION,
      logger: quietLogger,
      retryMs: 100,
      heartbeatMs: 200,
    });
    changes.onChange((orderId) => {
      announced.push(orderId);
      listeningWhenAnnounced.push(changes.listening);
    });
    announced = [];
    listeningWhenAnnounced = [];
    await changes.start();
  });

  afterAll(async () => {
    await changes?.stop();
    await dataSource?.destroy();
  });

  const submit = (order: PlacedOrder) =>
    new OrderSubmissionStore(dataSource).record(order.customerId, `key-${order.orderId}`, {
      requestHash: order.orderId,
      placedOrder: order,
    });
  const announcedFor = (orderId: string) =>
    eventually(`${orderId} announced`, async () =>
      announced.includes(orderId) ? true : undefined,
    );

  it('reports the share of the notification queue in use while it listens, none when it stops', async () => {
    const usage = await eventually(
      'a beat has measured the queue',
      async () => changes.notificationQueueUsage,
    );
    // Listeners here read their notifications: nothing stays queued for long.
    expect(usage).toBeGreaterThanOrEqual(0);
    expect(usage).toBeLessThan(0.01);
    const other = new PostgresOrderReadChanges(suiteDatabaseUrl(), {
      applicationName: `${APPLICATION}-other`,
      logger: quietLogger,
      heartbeatMs: 100,
    });
    await other.start();
    await eventually('the other listener measured it', async () => other.notificationQueueUsage);
    await other.stop();
    expect(other.notificationQueueUsage).toBeUndefined();
  });

  it('announces each committed change to a submission or a projection, not one rolled back', async () => {
    expect(changes.listening).toBe(true);
    const order = placedOrderOf(`c-${randomUUID()}`);
    await submit(order);
    await announcedFor(order.orderId);

    announced = [];
    await new TypeOrmOrderStatusProjector(dataSource).project({
      ...admittedOrderView(order),
      version: 1,
    });
    await announcedFor(order.orderId);

    announced = [];
    const rolledBack = placedOrderOf(`c-${randomUUID()}`);
    await dataSource
      .transaction(async (manager) => {
        await manager.query(`UPDATE order_status SET needs_attention = 'x' WHERE order_id = $1`, [
          order.orderId,
        ]);
        await manager.query(
          `INSERT INTO order_submission
             (order_id, customer_id, idempotency_key, request_hash, placed_order, placed_at)
           VALUES ($1, $2, $3, 'h', $4::jsonb, now())`,
          [rolledBack.orderId, rolledBack.customerId, `key-${rolledBack.orderId}`, rolledBack],
        );
        throw new Error('rolled back on purpose');
      })
      .catch(() => undefined);
    // A committed change after it is announced; the rolled-back ones before it never are.
    const later = placedOrderOf(`c-${randomUUID()}`);
    await submit(later);
    await announcedFor(later.orderId);
    expect(announced).not.toContain(order.orderId);
    expect(announced).not.toContain(rolledBack.orderId);
  });

  it('stops at once when its connection is lost, says everything may have changed, and listens again', async () => {
    announced = [];
    listeningWhenAnnounced = [];
    const [{ killed }] = await dataSource.query(
      `SELECT count(pg_terminate_backend(pid))::int AS killed
         FROM pg_stat_activity WHERE application_name = $1`,
      [APPLICATION],
    );
    expect(killed).toBe(1);
    // "Everything" twice: when the loss is noticed (not listening from then on), and when it
    // listens again; the retry is quick, so the states are read as each was announced. Other
    // suites' orders may be announced in between: only the "everything"s count.
    const everything = () => listeningWhenAnnounced.filter((_, i) => announced[i] === undefined);
    await eventually('listening again', async () =>
      changes.listening && everything().length >= 2 ? true : undefined,
    );
    expect(everything()).toEqual([false, true]);

    const order = placedOrderOf(`c-${randomUUID()}`);
    await submit(order);
    await announcedFor(order.orderId);
  });

  it.each(['DISABLE TRIGGER', 'ENABLE REPLICA TRIGGER'])(
    'stops while a trigger that announces is off (%s), and listens again once it is back',
    async (off) => {
      await dataSource.query(`ALTER TABLE order_status ${off} order_status_read_changed`);
      try {
        await eventually('the trigger turned off noticed', async () =>
          changes.listening ? undefined : true,
        );
      } finally {
        await dataSource.query('ALTER TABLE order_status ENABLE TRIGGER order_status_read_changed');
      }
      await eventually('listening again', async () => (changes.listening ? true : undefined));
    },
  );

  it("serves each committed change to the customer's read once it is announced", async () => {
    const store = new OrderStatusStore(dataSource);
    let queries = 0;
    const counted = {
      findCustomerOrder: (customerId: string, orderId: string) => {
        queries += 1;
        return store.findCustomerOrder(customerId, orderId);
      },
    };
    const cache = new CustomerOrderCache(counted, changes, { maxEntries: 100, maxAgeMs: 60_000 });
    const order = placedOrderOf(`c-${randomUUID()}`);
    await submit(order);
    await announcedFor(order.orderId);
    const read = () => cache.findCustomerOrder(order.customerId, order.orderId);

    expect((await read())?.view).toBeUndefined(); // admitted, not yet projected
    await read();
    expect(queries).toBe(1);

    const projector = new TypeOrmOrderStatusProjector(dataSource);
    await projector.project({ ...admittedOrderView(order), version: 1 });
    await eventually('the projection read through the cache', async () =>
      (await read())?.view?.version === 1 ? true : undefined,
    );
    await projector.project({ ...admittedOrderView(order), version: 2, stage: 'Cancelled' });
    await eventually('the next version read through the cache', async () =>
      (await read())?.view?.version === 2 ? true : undefined,
    );
    const queriesBefore = queries;
    await read();
    expect(queries).toBe(queriesBefore);
  });
});
