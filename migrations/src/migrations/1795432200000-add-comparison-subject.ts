import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A stage compared more than once per order: `stage_comparison.subject` says which of the
 * order's comparisons of the stage a row is ('' for the stages decided once per order; the kind
 * for notification, which an order gets several of: domain `comparisonSubject`). The key
 * becomes (order, stage, subject). Reverting drops the per-kind rows: the old key holds one per
 * order and stage.
 */
export class AddComparisonSubject1795432200000 implements MigrationInterface {
  name = 'AddComparisonSubject1795432200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE stage_comparison ADD COLUMN subject text NOT NULL DEFAULT ''`,
    );
    await queryRunner.query('ALTER TABLE stage_comparison DROP CONSTRAINT stage_comparison_pkey');
    await queryRunner.query(
      'ALTER TABLE stage_comparison ADD PRIMARY KEY (order_id, stage, subject)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM stage_comparison WHERE subject <> ''`);
    await queryRunner.query('ALTER TABLE stage_comparison DROP CONSTRAINT stage_comparison_pkey');
    await queryRunner.query('ALTER TABLE stage_comparison DROP COLUMN subject');
    await queryRunner.query('ALTER TABLE stage_comparison ADD PRIMARY KEY (order_id, stage)');
  }
}
