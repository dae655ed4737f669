/**
 * The record of notifications sent, on the stack's real PostgreSQL: a retried send (the same
 * idempotency key, however often and however concurrently) is recorded once with its first time;
 * an order's notifications are listed in the order they were sent, and only that order's.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CustomerNotificationStore, type SentNotification } from './customer-notification.store';
import { suiteDataSource } from '../testing/suite-database';

describe('notifications sent (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let store: CustomerNotificationStore;

  beforeAll(async () => {
    dataSource = await suiteDataSource({
      applicationName: 'customer-notification-spec',
      maxConnections: 8,
    });
    store = new CustomerNotificationStore(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  const sent = (orderId: string, kind: SentNotification['kind']): SentNotification => ({
    idempotencyKey: `order-${orderId}/notify-${kind}`,
    orderId,
    kind,
    channel: 'email',
    notificationId: `ntf_${randomUUID()}`,
  });

  it('records a retried send once, keeping the first record and its time', async () => {
    const orderId = `o-${randomUUID()}`;
    const confirmed = sent(orderId, 'confirmed');
    await store.record(confirmed);
    const [first] = await store.forOrder(orderId);
    // A retry whose notifier answered differently (it should not) changes nothing either.
    await store.record(confirmed);
    await store.record({ ...confirmed, notificationId: 'ntf_other', channel: 'sms' });
    expect(await store.forOrder(orderId)).toEqual([first]);
    expect(first).toEqual({
      ...confirmed,
      returnId: null,
      sentAt: expect.any(String),
    });
  });

  it('records concurrent attempts of one send once', async () => {
    const orderId = `o-${randomUUID()}`;
    const shipped = sent(orderId, 'shipped');
    await Promise.all(Array.from({ length: 8 }, () => store.record(shipped)));
    expect(await store.forOrder(orderId)).toHaveLength(1);
  });

  it("lists an order's notifications in the order they were sent, and only that order's", async () => {
    const orderId = `o-${randomUUID()}`;
    const other = `o-${randomUUID()}`;
    await store.record(sent(orderId, 'confirmed'));
    await store.record(sent(other, 'rejected'));
    await store.record(sent(orderId, 'shipped'));
    await store.record({
      ...sent(orderId, 'return-authorized'),
      idempotencyKey: `order-${orderId}/notify-return-authorized-r-1`,
      returnId: 'r-1',
    });
    const listed = await store.forOrder(orderId);
    expect(listed.map((n) => [n.kind, n.returnId])).toEqual([
      ['confirmed', null],
      ['shipped', null],
      ['return-authorized', 'r-1'],
    ]);
    expect(listed.map((n) => Date.parse(n.sentAt))).toEqual(
      [...listed.map((n) => Date.parse(n.sentAt))].sort((a, b) => a - b),
    );
    expect(await store.forOrder(`o-${randomUUID()}`)).toEqual([]);
  });
});
