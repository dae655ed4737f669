import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Post-hoc review tasks: one per order whose fraud check was approved without a screening (by
 * policy: the SLA ran out, the provider was down, a degraded mode). Opened when the order's view
 * is projected, `open` until an operator closes it with an outcome and a note (audited).
 */
export class CreatePostHocReview1795431400000 implements MigrationInterface {
  name = 'CreatePostHocReview1795431400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE post_hoc_review (
        order_id    text        PRIMARY KEY,
        customer_id text        NOT NULL,
        flag        text        NOT NULL,
        approved_at timestamptz NOT NULL,
        opened_at   timestamptz NOT NULL DEFAULT now(),
        status      text        NOT NULL DEFAULT 'open'
          CONSTRAINT post_hoc_review_status_ck CHECK (status IN ('open', 'closed')),
        outcome     text
          CONSTRAINT post_hoc_review_outcome_ck CHECK (outcome IN ('no-concern', 'concern-raised')),
        closed_by   text,
        closed_at   timestamptz,
        note        text
      )`);
    // The operator's queue: open tasks, oldest first.
    await queryRunner.query(
      'CREATE INDEX post_hoc_review_status_idx ON post_hoc_review (status, opened_at, order_id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE post_hoc_review');
  }
}
