/**
 * The strangler's routing table (`stage_route`, changed through the gateway's ops API), read by
 * a workflow when it starts so each order's routes are fixed for its whole life.
 */
import type { DataSource } from 'typeorm';
import { MIGRATION_STAGES, type MigrationStage, type StageRoute } from '@order-platform/domain';

export interface StageRouteReader {
  routes(): Promise<StageRoute[]>;
}

export class TypeOrmStageRouteReader implements StageRouteReader {
  constructor(private readonly dataSource: DataSource) {}

  async routes(): Promise<StageRoute[]> {
    const rows: { stage: string; mode: StageRoute['mode']; new_percent: number }[] =
      await this.dataSource.query('SELECT stage, mode, new_percent FROM stage_route');
    return rows
      .filter((row): row is typeof row & { stage: MigrationStage } =>
        MIGRATION_STAGES.includes(row.stage as MigrationStage),
      )
      .map((row) => ({ stage: row.stage, mode: row.mode, newPercent: row.new_percent }));
  }
}
