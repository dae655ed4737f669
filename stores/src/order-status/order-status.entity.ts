/**
 * The order status read model's row, as TypeORM maps it: what the gateway reads to answer "where
 * is my order" and "which orders are stuck" without asking Temporal. The schema belongs to the
 * migration `CreateOrderStatus1795430100000` (synchronize is off everywhere), so this class only
 * describes the table; writes go through `TypeOrmOrderStatusProjector`'s version-guarded upsert,
 * never through `save()`, which would not respect the version.
 */
import { Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';
import type {
  CustomerStatus,
  MigrationRoute,
  OrderStage,
  OrderStatusView,
} from '@order-platform/domain';

/**
 * pg returns bigint as a string, because it may exceed 2^53; order totals in minor units are far
 * below that, and the domain counts them as numbers.
 */
const bigintAsNumber: ValueTransformer = {
  to: (value: number) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

@Entity({ name: 'order_status' })
export class OrderStatusRecord {
  @PrimaryColumn({ name: 'order_id', type: 'text' })
  orderId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @Column({ name: 'stage', type: 'text' })
  stage!: OrderStage;

  /** As of the projection; the gateway recomputes delays from `view` with its own clock. */
  @Column({ name: 'customer_status', type: 'text' })
  customerStatus!: CustomerStatus;

  @Column({ name: 'stage_entered_at', type: 'timestamptz' })
  stageEnteredAt!: Date;

  @Column({ name: 'stage_deadline', type: 'timestamptz', nullable: true })
  stageDeadline!: Date | null;

  @Column({ name: 'placed_at', type: 'timestamptz' })
  placedAt!: Date;

  @Column({ name: 'total_minor', type: 'bigint', transformer: bigintAsNumber })
  totalMinor!: number;

  @Column({ name: 'currency', type: 'text' })
  currency!: string;

  @Column({ name: 'expedited', type: 'boolean' })
  expedited!: boolean;

  /** Why an operator should look; NULL (not '') when nothing needs attention. */
  @Column({ name: 'needs_attention', type: 'text', nullable: true })
  needsAttention!: string | null;

  @Column({ name: 'migration_route', type: 'text' })
  migrationRoute!: MigrationRoute;

  @Column({ name: 'version', type: 'integer' })
  version!: number;

  /** The full status view the workflow projected: what the gateway answers from. */
  @Column({ name: 'view', type: 'jsonb' })
  view!: OrderStatusView;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
