/** The notifications context's activity, run on the notifications bulkhead: tell the customer. */
import { type NotificationKind, NOTIFICATION_MESSAGES } from '@order-platform/domain';
import { portActivity } from '../port-activity';
import type { NotificationsPort } from './notifications.port';

export function createNotificationsActivities(ports: { notifications: NotificationsPort }) {
  return {
    /**
     * The key is the order and the kind (and the return, for a return's kinds): a customer hears
     * of each change once, whatever retries.
     */
    notifyCustomer: portActivity(
      (
        { keyFor },
        {
          returnId,
          ...input
        }: { orderId: string; customerId: string; kind: NotificationKind; returnId?: string },
      ): Promise<{ duplicate: boolean }> =>
        ports.notifications.notify({
          ...input,
          message: NOTIFICATION_MESSAGES[input.kind],
          idempotencyKey: keyFor(
            returnId ? `notify-${input.kind}-${returnId}` : `notify-${input.kind}`,
          ),
        }),
    ),
  };
}

export type NotificationsActivities = ReturnType<typeof createNotificationsActivities>;
