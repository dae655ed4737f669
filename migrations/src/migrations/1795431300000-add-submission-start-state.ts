import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Whether each submission's workflow was started, and how its intake ended: `pending` (recorded,
 * start not confirmed yet), `started`, `failed` (the last start attempt failed: the sweeper tries
 * again), `expired` (never started within the bound: nothing was held or charged) or `cancelled`
 * (cancelled by the customer before it started: the sweeper never starts it). A replay of an
 * idempotency key reads this instead of asking Temporal, whose retention forgets finished runs.
 *
 * Rows from before this migration were started by the request that recorded them, or their start
 * failed: those with a read-model row are `started`; the others `failed`, so the sweeper starts
 * them (a workflow still running answers "already started") or expires them.
 */
export class AddSubmissionStartState1795431300000 implements MigrationInterface {
  name = 'AddSubmissionStartState1795431300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE order_submission
        ADD COLUMN start_state    text        NOT NULL DEFAULT 'pending'
          CONSTRAINT order_submission_start_state_ck
          CHECK (start_state IN ('pending', 'started', 'failed', 'expired', 'cancelled')),
        ADD COLUMN started_at     timestamptz,
        ADD COLUMN start_attempts integer     NOT NULL DEFAULT 0,
        ADD COLUMN last_error     text,
        ADD COLUMN ended_at       timestamptz`);
    await queryRunner.query(`
      UPDATE order_submission s
         SET start_state = CASE WHEN EXISTS (SELECT 1 FROM order_status o WHERE o.order_id = s.order_id)
                                THEN 'started' ELSE 'failed' END`);
    // The sweeper's work list: the few submissions still waiting for a start.
    await queryRunner.query(`
      CREATE INDEX order_submission_unstarted_idx ON order_submission (placed_at)
       WHERE start_state IN ('pending', 'failed')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX order_submission_unstarted_idx');
    await queryRunner.query(`
      ALTER TABLE order_submission
        DROP COLUMN start_state, DROP COLUMN started_at, DROP COLUMN start_attempts,
        DROP COLUMN last_error, DROP COLUMN ended_at`);
  }
}
