/**
 * An order as the gateway admitted it, keyed by the customer's Idempotency-Key, and whether its
 * workflow was started (tables from the migrations `CreateOrderSubmission1795430200000` and
 * `AddSubmissionStartState1795431300000`; synchronize is off everywhere).
 */
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PlacedOrder } from '@order-platform/domain';

export const START_STATES = ['pending', 'started', 'failed', 'expired', 'cancelled'] as const;
/** See the migration `AddSubmissionStartState1795431300000` for what each state means. */
export type StartState = (typeof START_STATES)[number];

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

  @Column({ name: 'start_state', type: 'text' })
  startState!: StartState;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'start_attempts', type: 'integer' })
  startAttempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** When it expired or was cancelled before it started. */
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;
}
