import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Admission shared by every gateway, so N gateways hold one bound and one per-customer limit:
 * `admission_window` is one row per order task queue (the work not yet started that a gateway
 * last sampled from Temporal, the submissions every gateway has in flight, and those admitted
 * since, in the current and the previous sample period); `customer_rate_limit` is one token
 * bucket per customer. Both are
 * taken with one atomic statement per order. They are UNLOGGED: their rows are written on every
 * submission and are worth nothing after a crash (a lost bucket is a full one, a lost window is
 * sampled again within a second), so they cost no WAL and no flush at commit.
 */
export class CreateSharedAdmission1795432000000 implements MigrationInterface {
  name = 'CreateSharedAdmission1795432000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE UNLOGGED TABLE admission_window (
        task_queue        text             PRIMARY KEY,
        period            bigint           NOT NULL DEFAULT 0,
        sampled_pending   integer          NOT NULL DEFAULT 0,
        sampled_at        timestamptz,
        admitted_current  integer          NOT NULL DEFAULT 0,
        admitted_previous integer          NOT NULL DEFAULT 0,
        drain_per_second  double precision NOT NULL DEFAULT 0,
        in_flight_current    integer     NOT NULL DEFAULT 0,
        in_flight_previous   integer     NOT NULL DEFAULT 0,
        in_flight_generation bigint      NOT NULL DEFAULT 0,
        in_flight_rotated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE UNLOGGED TABLE customer_rate_limit (
        customer_id text             PRIMARY KEY,
        tokens      double precision NOT NULL,
        refilled_at timestamptz      NOT NULL,
        allowed     boolean          NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE customer_rate_limit');
    await queryRunner.query('DROP TABLE admission_window');
  }
}
