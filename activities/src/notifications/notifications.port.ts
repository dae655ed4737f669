/** The notifier: it delivers a message to a customer once per idempotency key. */
import type { NotificationKind } from '@order-platform/domain';

export interface NotificationsPort {
  notify(request: {
    idempotencyKey: string;
    orderId: string;
    customerId: string;
    kind: NotificationKind;
    message: string;
  }): Promise<{ duplicate: boolean }>;
}
