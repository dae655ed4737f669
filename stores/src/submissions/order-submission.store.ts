/**
 * Orders as the gateway admitted them (`order_submission`), keyed for idempotency: a customer's
 * `Idempotency-Key` maps to one order and the hash of the request it came with.
 */
import type { DataSource } from 'typeorm';
import type { PlacedOrder } from '@order-platform/domain';
import { OrderSubmissionRecord } from './order-submission.entity';

export interface Submission {
  orderId: string;
  requestHash: string;
  placedOrder: PlacedOrder;
}

export class OrderSubmissionStore {
  constructor(private readonly db: DataSource) {}

  /**
   * Records the submission unless the customer already used this key; either way returns the
   * submission stored under the key, and whether this call created it.
   */
  async record(
    customerId: string,
    idempotencyKey: string,
    candidate: Submission,
  ): Promise<{ created: boolean; submission: Submission }> {
    // ON CONFLICT DO NOTHING: the unique (customer, key) keeps the first submission.
    const { raw } = await this.db
      .createQueryBuilder()
      .insert()
      .into(OrderSubmissionRecord)
      .values({
        orderId: candidate.orderId,
        customerId,
        idempotencyKey,
        requestHash: candidate.requestHash,
        placedOrder: candidate.placedOrder,
        placedAt: new Date(candidate.placedOrder.placedAt),
      })
      .orIgnore()
      .returning('order_id')
      .execute();
    if ((raw as unknown[]).length === 1) return { created: true, submission: candidate };
    const existing = await this.db
      .getRepository(OrderSubmissionRecord)
      .findOneBy({ customerId, idempotencyKey });
    if (!existing) throw new Error('idempotency record vanished between insert and read');
    return {
      created: false,
      submission: {
        orderId: existing.orderId,
        requestHash: existing.requestHash,
        placedOrder: existing.placedOrder,
      },
    };
  }
}
