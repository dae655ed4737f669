import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The strangler's tables. `stage_route`: how each migrating stage is decided (by the monolith,
 * by both with the new side only compared, or by the new platform) and the share of orders the
 * new side takes. `stage_comparison`: one verdict per order and stage from the comparator,
 * with the differing fields; the migration report and the promotion guard read it.
 * `comparison_ignore_rule`: a known, accepted difference, with why, whose, until when, and how
 * often it applied. Changes to routes are audited in `operator_audit`.
 */
export class CreateStranglerTables1795430400000 implements MigrationInterface {
  name = 'CreateStranglerTables1795430400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE stage_route (
        stage       text        PRIMARY KEY,
        mode        text        NOT NULL CHECK (mode IN ('legacy', 'shadow', 'new')),
        new_percent integer     NOT NULL DEFAULT 100 CHECK (new_percent BETWEEN 0 AND 100),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        updated_by  text        NOT NULL DEFAULT 'migration'
      )`);
    // Routes apply to orders placed in the monolith (the platform's own orders are the
    // platform's throughout). Where a strangler starts: the monolith decides every stage.
    await queryRunner.query(`
      INSERT INTO stage_route (stage, mode)
      VALUES ('fraud', 'legacy'), ('inventory', 'legacy'), ('payment', 'legacy'),
             ('fulfilment', 'legacy'), ('notification', 'legacy')`);
    await queryRunner.query(`
      CREATE TABLE stage_comparison (
        order_id     text        NOT NULL,
        stage        text        NOT NULL,
        outcome      text        NOT NULL CHECK (outcome IN
                       ('pending', 'match', 'mismatch', 'missing-in-new', 'missing-in-legacy',
                        'duplicate', 'out-of-order')),
        differences  jsonb       NOT NULL DEFAULT '[]'::jsonb,
        legacy       jsonb,
        new          jsonb,
        ignored_by   bigint,
        compared_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (order_id, stage)
      )`);
    // The report and the guard: the latest N verdicts of a stage.
    await queryRunner.query(
      'CREATE INDEX stage_comparison_stage_time_idx ON stage_comparison (stage, compared_at DESC)',
    );
    // The routes a monolith order started with: a stage the monolith alone decides is not
    // expected from the new side, so its lone legacy fact is not "missing in new".
    await queryRunner.query(`
      CREATE TABLE comparison_order (
        order_id text        PRIMARY KEY,
        routes   jsonb       NOT NULL,
        seen_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE comparison_ignore_rule (
        id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stage      text        NOT NULL,
        field      text        NOT NULL,
        reason     text        NOT NULL,
        owner      text        NOT NULL,
        expires_at timestamptz NOT NULL,
        hit_count  bigint      NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE comparison_ignore_rule');
    await queryRunner.query('DROP TABLE comparison_order');
    await queryRunner.query('DROP TABLE stage_comparison');
    await queryRunner.query('DROP TABLE stage_route');
  }
}
