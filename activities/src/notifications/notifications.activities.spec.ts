import type { SentNotification } from '@order-platform/stores';
import { NOTIFICATION_MESSAGES } from '@order-platform/domain';
import { activityOf, failureOf } from '../testing/activity-environment';
import { createNotificationsActivities } from './notifications.activities';
import type { NotificationsPort } from './notifications.port';

/** A notifier that delivers once per key, as the real one does, and answers repeats as such. */
function onceNotifier() {
  const delivered = new Map<string, string>();
  const sent: Parameters<NotificationsPort['notify']>[0][] = [];
  const port: NotificationsPort = {
    notify: async (request) => {
      sent.push(request);
      const first = delivered.get(request.idempotencyKey);
      if (first) return { duplicate: true, notificationId: first, channel: 'email' };
      const notificationId = `ntf-${delivered.size + 1}`;
      delivered.set(request.idempotencyKey, notificationId);
      return { duplicate: false, notificationId, channel: 'email' };
    },
  };
  return { port, sent, delivered };
}

describe('telling a customer', () => {
  const confirmed = { orderId: 'o-1', customerId: 'c-1', kind: 'confirmed' as const };

  it('tells each change once: the key is the order and the kind, whatever the attempt', async () => {
    const notifier = onceNotifier();
    const records: SentNotification[] = [];
    const { notifyCustomer } = createNotificationsActivities({
      notifications: notifier.port,
      sentNotifications: { record: async (sent) => void records.push(sent) },
    });
    expect(await activityOf('order-o-1', 1).run(notifyCustomer, confirmed)).toEqual({
      duplicate: false,
    });
    expect(await activityOf('order-o-1', 2).run(notifyCustomer, confirmed)).toEqual({
      duplicate: true,
    });
    const request = {
      ...confirmed,
      message: NOTIFICATION_MESSAGES.confirmed,
      idempotencyKey: 'order-o-1/notify-confirmed',
    };
    expect(notifier.sent).toEqual([request, request]);
    expect(notifier.delivered.size).toBe(1);
    // Both attempts record under the same key, which the store keeps once.
    expect(new Set(records.map((r) => r.idempotencyKey))).toEqual(
      new Set(['order-o-1/notify-confirmed']),
    );
  });

  it('records what was sent, how and under which id, and nothing personal', async () => {
    const notifier = onceNotifier();
    const records: SentNotification[] = [];
    const { notifyCustomer } = createNotificationsActivities({
      notifications: notifier.port,
      sentNotifications: { record: async (sent) => void records.push(sent) },
    });
    await activityOf('order-o-1').run(notifyCustomer, {
      ...confirmed,
      kind: 'return-authorized' as const,
      returnId: 'r-9',
    });
    expect(records).toEqual([
      {
        idempotencyKey: 'order-o-1/notify-return-authorized-r-9',
        orderId: 'o-1',
        kind: 'return-authorized',
        returnId: 'r-9',
        channel: 'email',
        notificationId: 'ntf-1',
      },
    ]);
  });

  it('fails, to be retried, when the record cannot be written; the retry tells no one twice', async () => {
    const notifier = onceNotifier();
    const records: SentNotification[] = [];
    let databaseDown = true;
    const { notifyCustomer } = createNotificationsActivities({
      notifications: notifier.port,
      sentNotifications: {
        record: async (sent) => {
          if (databaseDown) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
          records.push(sent);
        },
      },
    });
    const failure = await failureOf(activityOf('order-o-1', 1).run(notifyCustomer, confirmed));
    expect(failure.type).toBe('TransientFailure');
    expect(failure.nonRetryable).toBe(false);
    expect(records).toEqual([]);

    databaseDown = false;
    expect(await activityOf('order-o-1', 2).run(notifyCustomer, confirmed)).toEqual({
      duplicate: true,
    });
    expect(notifier.delivered.size).toBe(1);
    expect(records).toEqual([
      expect.objectContaining({ notificationId: 'ntf-1', kind: 'confirmed' }),
    ]);
  });

  it('records nothing when the notifier did not take the notification', async () => {
    const records: SentNotification[] = [];
    const { notifyCustomer } = createNotificationsActivities({
      notifications: {
        notify: async () => {
          throw new Error('socket hang up');
        },
      },
      sentNotifications: { record: async (sent) => void records.push(sent) },
    });
    await failureOf(activityOf('order-o-1').run(notifyCustomer, confirmed));
    expect(records).toEqual([]);
  });
});
