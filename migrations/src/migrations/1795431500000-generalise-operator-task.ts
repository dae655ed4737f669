import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Post-hoc reviews become one kind of operator task (`operator_task`): what the platform could
 * not settle by itself, open until an operator closes it with an outcome and a note (audited).
 * The other kind, `compensation-failed`, is an undo a downstream refused for good. A task is
 * one per order, kind and subject (`fraud` for a post-hoc review, the compensation's name for a
 * failed one); the post-hoc reviews already open or closed are kept as they are.
 */
export class GeneraliseOperatorTask1795431500000 implements MigrationInterface {
  name = 'GeneraliseOperatorTask1795431500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE post_hoc_review RENAME TO operator_task');
    await queryRunner.query(`
      ALTER TABLE operator_task
        ADD COLUMN kind text NOT NULL DEFAULT 'post-hoc-review'
          CONSTRAINT operator_task_kind_ck CHECK (kind IN ('post-hoc-review', 'compensation-failed')),
        ADD COLUMN subject text NOT NULL DEFAULT 'fraud'`);
    await queryRunner.query('ALTER TABLE operator_task ALTER COLUMN kind DROP DEFAULT');
    await queryRunner.query('ALTER TABLE operator_task ALTER COLUMN subject DROP DEFAULT');
    await queryRunner.query('ALTER TABLE operator_task RENAME COLUMN flag TO reason');
    await queryRunner.query('ALTER TABLE operator_task RENAME COLUMN approved_at TO occurred_at');
    await queryRunner.query('ALTER TABLE operator_task DROP CONSTRAINT post_hoc_review_pkey');
    await queryRunner.query(
      'ALTER TABLE operator_task ADD CONSTRAINT operator_task_pkey PRIMARY KEY (order_id, kind, subject)',
    );
    await queryRunner.query(
      'ALTER TABLE operator_task RENAME CONSTRAINT post_hoc_review_status_ck TO operator_task_status_ck',
    );
    await queryRunner.query('ALTER TABLE operator_task DROP CONSTRAINT post_hoc_review_outcome_ck');
    await queryRunner.query(`
      ALTER TABLE operator_task ADD CONSTRAINT operator_task_outcome_ck CHECK (
        (kind = 'post-hoc-review' AND outcome IN ('no-concern', 'concern-raised'))
        OR (kind = 'compensation-failed' AND outcome IN ('settled-by-hand', 'nothing-to-settle'))
        OR outcome IS NULL)`);
    // The operators' queue: open tasks of a kind (or all), oldest first.
    await queryRunner.query('DROP INDEX post_hoc_review_status_idx');
    await queryRunner.query(
      'CREATE INDEX operator_task_status_idx ON operator_task (status, opened_at, order_id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM operator_task WHERE kind <> 'post-hoc-review'`);
    await queryRunner.query('DROP INDEX operator_task_status_idx');
    await queryRunner.query('ALTER TABLE operator_task DROP CONSTRAINT operator_task_outcome_ck');
    await queryRunner.query(`
      ALTER TABLE operator_task ADD CONSTRAINT post_hoc_review_outcome_ck
        CHECK (outcome IN ('no-concern', 'concern-raised'))`);
    await queryRunner.query(
      'ALTER TABLE operator_task RENAME CONSTRAINT operator_task_status_ck TO post_hoc_review_status_ck',
    );
    await queryRunner.query('ALTER TABLE operator_task DROP CONSTRAINT operator_task_pkey');
    await queryRunner.query(
      'ALTER TABLE operator_task ADD CONSTRAINT post_hoc_review_pkey PRIMARY KEY (order_id)',
    );
    await queryRunner.query('ALTER TABLE operator_task RENAME COLUMN occurred_at TO approved_at');
    await queryRunner.query('ALTER TABLE operator_task RENAME COLUMN reason TO flag');
    await queryRunner.query('ALTER TABLE operator_task DROP COLUMN subject, DROP COLUMN kind');
    await queryRunner.query('ALTER TABLE operator_task RENAME TO post_hoc_review');
    await queryRunner.query(
      'CREATE INDEX post_hoc_review_status_idx ON post_hoc_review (status, opened_at, order_id)',
    );
  }
}
