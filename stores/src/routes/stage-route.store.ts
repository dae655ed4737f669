/**
 * The strangler's routing table (`stage_route`): read by a workflow when it starts, so each
 * order's routes are fixed for its whole life, and changed by operators through the gateway,
 * each change under the route's row lock and audited in the same transaction. Intake's route
 * (the facade's share, domain's INTAKE_STAGE) is a row of the same table, read by the facade.
 */
import type { Pool } from 'pg';
import { In, type DataSource, type EntityManager } from 'typeorm';
import {
  INTAKE_STAGE,
  MIGRATION_STAGES,
  type MigrationStage,
  type RoutedStage,
  type RouteSetting,
  type StageRoute,
} from '@order-platform/domain';
import { StageRouteRecord } from './stage-route.entity';

/** A stored route, with who changed it last and when. */
export interface StoredStageRoute extends StageRoute {
  updatedAt: Date;
  updatedBy: string;
}

/** Any routed stage's stored route: a business stage's, or intake's (the facade's share). */
export interface StoredRoute extends RouteSetting {
  stage: RoutedStage;
  updatedAt: Date;
  updatedBy: string;
}

const isMigrationStage = (stage: string): stage is MigrationStage =>
  MIGRATION_STAGES.includes(stage as MigrationStage);

const stored = <S extends RoutedStage>(
  record: StageRouteRecord & { stage: S },
): StoredRoute & { stage: S } => ({
  stage: record.stage,
  mode: record.mode,
  newPercent: record.newPercent,
  updatedAt: record.updatedAt,
  updatedBy: record.updatedBy,
});

export class StageRouteStore {
  constructor(private readonly db: DataSource) {}

  /** The stored routes of the stages the platform knows (a stage without a row has none). */
  async routes(): Promise<StageRoute[]> {
    return (await this.stored()).map(({ stage, mode, newPercent }) => ({
      stage,
      mode,
      newPercent,
    }));
  }

  async stored(): Promise<StoredStageRoute[]> {
    const records = await this.db.getRepository(StageRouteRecord).findBy({
      stage: In([...MIGRATION_STAGES]),
    });
    return records
      .filter((record): record is typeof record & { stage: MigrationStage } =>
        isMigrationStage(record.stage),
      )
      .map(stored);
  }

  /**
   * Intake's stored route (the share of customers the facade sends to the platform); undefined
   * when no operator has set one. A failure to read throws: the caller decides what is safe.
   */
  async intakeRoute(): Promise<StoredRoute | undefined> {
    const record = await this.db.getRepository(StageRouteRecord).findOneBy({ stage: INTAKE_STAGE });
    return record ? stored({ ...record, stage: INTAKE_STAGE }) : undefined;
  }

  /** The stage's route, locked until `tx` ends; undefined when the stage has no row yet. */
  async lockForChange(tx: EntityManager, stage: RoutedStage): Promise<RouteSetting | undefined> {
    const record = await tx.getRepository(StageRouteRecord).findOne({
      where: { stage },
      lock: { mode: 'pessimistic_write' },
    });
    return record ? { mode: record.mode, newPercent: record.newPercent } : undefined;
  }

  /**
   * Every stage's stored route, with the routing table locked for changes until `tx` ends: the
   * dependency guard judges stages together, so two changes of different stages must not pass it
   * side by side (a transaction-level advisory lock also covers stages without a row yet).
   */
  async lockAllForChange(
    tx: EntityManager,
  ): Promise<Partial<Record<MigrationStage, RouteSetting>>> {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('stage_route'))");
    const records = await tx.getRepository(StageRouteRecord).findBy({
      stage: In([...MIGRATION_STAGES]),
    });
    return Object.fromEntries(
      records
        .filter((record) => isMigrationStage(record.stage))
        .map((record) => [record.stage, { mode: record.mode, newPercent: record.newPercent }]),
    );
  }

  /** Writes the stage's route as changed now by `operatorId`. */
  async change(
    tx: EntityManager,
    stage: RoutedStage,
    to: RouteSetting,
    operatorId: string,
  ): Promise<StoredRoute> {
    const routes = tx.getRepository(StageRouteRecord);
    await routes.upsert(
      {
        stage,
        mode: to.mode,
        newPercent: to.newPercent,
        updatedAt: () => 'now()',
        updatedBy: operatorId,
      },
      ['stage'],
    );
    return stored({ ...(await routes.findOneByOrFail({ stage })), stage });
  }
}

/**
 * The stored routes read over a plain pg pool (the legacy adapter's connection), for the
 * monolith hand-over sync: the same rows `StageRouteStore.routes` reads.
 */
export async function readStageRoutes(pool: Pick<Pool, 'query'>): Promise<StageRoute[]> {
  const { rows } = await pool.query<{
    stage: string;
    mode: StageRoute['mode'];
    new_percent: number;
  }>('SELECT stage, mode, new_percent FROM stage_route WHERE stage = ANY($1)', [
    [...MIGRATION_STAGES],
  ]);
  return rows
    .filter((row): row is typeof row & { stage: MigrationStage } => isMigrationStage(row.stage))
    .map((row) => ({ stage: row.stage, mode: row.mode, newPercent: row.new_percent }));
}
