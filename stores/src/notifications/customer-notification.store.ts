/**
 * The notifications the platform sent its customers (`customer_notification`, from the migration
 * `CreateCustomerNotification1795432300000`): the notifying activity records each one once the
 * notifier has taken it, and the operator's order page lists an order's. Keyed by the idempotency
 * key the notifier delivers by, so a retried activity (which the notifier answers as a repeat)
 * records nothing new and keeps the first time. No personal data: the kind, the channel, the
 * notifier's id, never an address, a name or the message. SQL by hand: an insert that ignores a
 * repeat and a keyed read, where an entity would add nothing.
 */
import type { DataSource } from 'typeorm';
import type { NotificationKind } from '@order-platform/domain';

/** A notification as the notifier took it. */
export interface SentNotification {
  /** `<workflowId>/notify-<kind>[-<returnId>]`: what the notifier deduplicates by. */
  idempotencyKey: string;
  orderId: string;
  kind: NotificationKind;
  /** For a return's kinds, the return it is about. */
  returnId?: string;
  /** How the notifier reached the customer (e.g. `email`), as it said. */
  channel: string;
  /** The notifier's id for it. */
  notificationId: string;
}

export interface RecordedNotification extends Omit<SentNotification, 'returnId'> {
  returnId: string | null;
  /** When the platform first recorded it sent (a repeat keeps this time). */
  sentAt: string;
}

interface Row {
  idempotency_key: string;
  order_id: string;
  kind: NotificationKind;
  return_id: string | null;
  channel: string;
  notification_id: string;
  sent_at: Date;
}

/** No order is told more than a handful of things; this bounds a page of a corrupted one. */
const MAX_PER_ORDER = 200;

export class CustomerNotificationStore {
  constructor(private readonly db: DataSource) {}

  /** Records a sent notification; a repeat of its idempotency key changes nothing. */
  async record(sent: SentNotification): Promise<void> {
    await this.db.query(
      `INSERT INTO customer_notification
         (idempotency_key, order_id, kind, return_id, channel, notification_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        sent.idempotencyKey,
        sent.orderId,
        sent.kind,
        sent.returnId ?? null,
        sent.channel,
        sent.notificationId,
      ],
    );
  }

  /** The order's notifications, in the order they were sent. */
  async forOrder(orderId: string): Promise<RecordedNotification[]> {
    const rows: Row[] = await this.db.query(
      `SELECT idempotency_key, order_id, kind, return_id, channel, notification_id, sent_at
         FROM customer_notification WHERE order_id = $1
        ORDER BY sent_at, idempotency_key LIMIT $2`,
      [orderId, MAX_PER_ORDER],
    );
    return rows.map((row) => ({
      idempotencyKey: row.idempotency_key,
      orderId: row.order_id,
      kind: row.kind,
      returnId: row.return_id,
      channel: row.channel,
      notificationId: row.notification_id,
      sentAt: row.sent_at.toISOString(),
    }));
  }
}
