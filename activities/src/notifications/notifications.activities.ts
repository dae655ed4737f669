/**
 * The notifications context's activity, run on the notifications bulkhead: tell the customer,
 * then record what was sent for operators (the order page's "notifications sent").
 */
import { type NotificationKind, NOTIFICATION_MESSAGES } from '@order-platform/domain';
import { portActivity } from '../port-activity';
import type { NotificationsPort, SentNotificationLog } from './notifications.port';

export function createNotificationsActivities(ports: {
  notifications: NotificationsPort;
  sentNotifications: SentNotificationLog;
}) {
  return {
    /**
     * The key is the order and the kind (and the return, for a return's kinds): a customer hears
     * of each change once, whatever retries. The record follows the send and is keyed the same:
     * an attempt that failed to record retries, the notifier answers it as a repeat (nothing
     * sent twice), and the record is written once.
     */
    notifyCustomer: portActivity(
      async (
        { keyFor },
        {
          returnId,
          ...input
        }: { orderId: string; customerId: string; kind: NotificationKind; returnId?: string },
      ): Promise<{ duplicate: boolean }> => {
        const idempotencyKey = keyFor(
          returnId ? `notify-${input.kind}-${returnId}` : `notify-${input.kind}`,
        );
        const sent = await ports.notifications.notify({
          ...input,
          message: NOTIFICATION_MESSAGES[input.kind],
          idempotencyKey,
        });
        await ports.sentNotifications.record({
          idempotencyKey,
          orderId: input.orderId,
          kind: input.kind,
          ...(returnId ? { returnId } : {}),
          channel: sent.channel,
          notificationId: sent.notificationId,
        });
        return { duplicate: sent.duplicate };
      },
    ),
  };
}

export type NotificationsActivities = ReturnType<typeof createNotificationsActivities>;
