/**
 * Personal data of orders (`order_personal_data`, from the migration
 * `CreateOrderPersonalData1795431800000`): the shipping address, kept out of every workflow's
 * input so no Temporal history holds it. The gateway records it with the submission, in one
 * statement (`recordPersonalDataOf`); the fulfilment activity reads it by order id when it creates
 * the shipment; `erase` deletes it after retention. SQL by hand: a few keyed statements on one
 * table, one inside another store's statement, where an entity would add nothing.
 */
import type { DataSource } from 'typeorm';
import type { ShippingAddress } from '@order-platform/domain';

/** What the platform holds of an order's personal data. */
export type PersonalData =
  | { state: 'held'; shippingAddress: ShippingAddress }
  /** Deleted after retention: the order's shipment can no longer be addressed. */
  | { state: 'erased'; erasedAt: Date }
  /** None recorded: a monolith order, or one placed before the platform kept addresses apart. */
  | { state: 'none' };

/**
 * The statement that records personal data for the orders a CTE named `orders` returns (its
 * `order_id`), with the shipping address in the parameter `address` (jsonb text): for a
 * statement that records an order and its personal data at once. A repeat keeps the first.
 */
export const recordPersonalDataOf = (orders: string, address: string): string =>
  `INSERT INTO order_personal_data (order_id, shipping_address)
   SELECT order_id, ${address}::jsonb FROM ${orders}
   ON CONFLICT (order_id) DO NOTHING`;

export class OrderPersonalDataStore {
  constructor(private readonly db: DataSource) {}

  async find(orderId: string): Promise<PersonalData> {
    const [row] = (await this.db.query(
      'SELECT shipping_address, erased_at FROM order_personal_data WHERE order_id = $1',
      [orderId],
    )) as { shipping_address: ShippingAddress | null; erased_at: Date | null }[];
    if (!row) return { state: 'none' };
    if (row.erased_at || !row.shipping_address) {
      return { state: 'erased', erasedAt: row.erased_at ?? new Date(0) };
    }
    return { state: 'held', shippingAddress: row.shipping_address };
  }

  /**
   * Erases the personal data of these orders (a customer's request), or of every order recorded
   * before `recordedBefore` (retention), keeping the row with the time of erasure. Returns the
   * order ids erased now.
   */
  async erase(
    which: { orderIds: string[] } | { recordedBefore: Date; limit: number },
  ): Promise<string[]> {
    const [rows] = (
      'orderIds' in which
        ? await this.db.query(
            `UPDATE order_personal_data SET shipping_address = NULL, erased_at = now()
              WHERE order_id = ANY($1) AND erased_at IS NULL
          RETURNING order_id`,
            [which.orderIds],
          )
        : await this.db.query(
            `UPDATE order_personal_data SET shipping_address = NULL, erased_at = now()
              WHERE order_id IN (SELECT order_id FROM order_personal_data
                                  WHERE erased_at IS NULL AND recorded_at < $1
                                  ORDER BY recorded_at LIMIT $2)
          RETURNING order_id`,
            [which.recordedBefore, which.limit],
          )
    ) as [{ order_id: string }[], number];
    return rows.map((row) => row.order_id);
  }
}
