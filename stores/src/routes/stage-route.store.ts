/**
 * The strangler's routing table (`stage_route`): read by a workflow when it starts, so each
 * order's routes are fixed for its whole life, and changed by operators through the gateway,
 * each change under the route's row lock and audited in the same transaction. Intake's route
 * (the facade's share, domain's INTAKE_STAGE) is a row of the same table, read by the facade.
 */
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
