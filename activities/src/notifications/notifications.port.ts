/** The notifier: it delivers a message to a customer once per idempotency key. */
import type { NotificationKind } from '@order-platform/domain';
import type { SentNotification } from '@order-platform/stores';

export interface NotificationsPort {
  notify(request: {
    idempotencyKey: string;
    orderId: string;
    customerId: string;
    kind: NotificationKind;
    message: string;
  }): Promise<{
    /** This call was a repeat of the key: nothing new was delivered. */
    duplicate: boolean;
    /** The notifier's id for the notification (the first one's, for a repeat). */
    notificationId: string;
    /** How it reached the customer (e.g. `email`). */
    channel: string;
  }>;
}

/**
 * Where the platform keeps what it told its customers (customer_notification), for operators:
 * a repeat of an idempotency key is recorded once.
 */
export interface SentNotificationLog {
  record(sent: SentNotification): Promise<void>;
}
