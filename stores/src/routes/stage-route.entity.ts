/** One row of `stage_route` (migration `CreateStranglerTables1795430400000`). */
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { MigrationRoute } from '@order-platform/domain';

@Entity({ name: 'stage_route' })
export class StageRouteRecord {
  /** A migration stage; rows for stages the platform no longer knows are ignored. */
  @PrimaryColumn({ name: 'stage', type: 'text' })
  stage!: string;

  @Column({ name: 'mode', type: 'text' })
  mode!: MigrationRoute;

  @Column({ name: 'new_percent', type: 'integer' })
  newPercent!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'updated_by', type: 'text' })
  updatedBy!: string;
}
