/**
 * An order as the gateway admitted it, keyed by the customer's Idempotency-Key (table from the
 * migration `CreateOrderSubmission1795430200000`; synchronize is off everywhere).
 */
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PlacedOrder } from '@order-platform/domain';

@Entity({ name: 'order_submission' })
export class OrderSubmissionRecord {
  @PrimaryColumn({ name: 'order_id', type: 'text' })
  orderId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  /** SHA-256 of the canonical request body: the same key with another body is a conflict. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  /** The order exactly as handed to the workflow, to start it again after a crash. */
  @Column({ name: 'placed_order', type: 'jsonb' })
  placedOrder!: PlacedOrder;

  @Column({ name: 'placed_at', type: 'timestamptz' })
  placedAt!: Date;
}
