import { NOTIFICATION_MESSAGES } from '@order-platform/domain';
import { activityOf } from '../testing/activity-environment';
import { createNotificationsActivities } from './notifications.activities';

describe('telling a customer', () => {
  it('tells each change once: the key is the order and the kind, whatever the attempt', async () => {
    const sent: unknown[] = [];
    const { notifyCustomer } = createNotificationsActivities({
      notifications: {
        notify: async (request) => {
          sent.push(request);
          return { duplicate: sent.length > 1 };
        },
      },
    });
    const confirmed = { orderId: 'o-1', customerId: 'c-1', kind: 'confirmed' as const };
    expect(await activityOf('order-o-1', 1).run(notifyCustomer, confirmed)).toEqual({
      duplicate: false,
    });
    expect(await activityOf('order-o-1', 2).run(notifyCustomer, confirmed)).toEqual({
      duplicate: true,
    });
    expect(sent).toEqual([
      {
        ...confirmed,
        message: NOTIFICATION_MESSAGES.confirmed,
        idempotencyKey: 'order-o-1/notify-confirmed',
      },
      {
        ...confirmed,
        message: NOTIFICATION_MESSAGES.confirmed,
        idempotencyKey: 'order-o-1/notify-confirmed',
      },
    ]);
  });
});
