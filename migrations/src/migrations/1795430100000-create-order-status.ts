import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The order status read model: one row per order, the full status view as the workflow last
 * projected it (`view`) plus the columns the gateway filters and sorts by. `version` guards every
 * write, so a late or retried projection never replaces a newer one. The indexes serve the
 * gateway's two list queries: a customer's orders newest first, and the orders stuck in a stage
 * past its deadline.
 */
export class CreateOrderStatus1795430100000 implements MigrationInterface {
  name = 'CreateOrderStatus1795430100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // needs_attention is NULL when nothing needs attention (the view's ''), so "what needs a
    // look" is `IS NOT NULL`. Stages and statuses are text, not enums: adding a stage must not
    // need a type migration.
    await queryRunner.query(`
      CREATE TABLE order_status (
        order_id         text        PRIMARY KEY,
        customer_id      text        NOT NULL,
        workflow_id      text        NOT NULL,
        stage            text        NOT NULL,
        customer_status  text        NOT NULL,
        stage_entered_at timestamptz NOT NULL,
        stage_deadline   timestamptz,
        placed_at        timestamptz NOT NULL,
        total_minor      bigint      NOT NULL,
        currency         text        NOT NULL,
        expedited        boolean     NOT NULL,
        needs_attention  text,
        migration_route  text        NOT NULL,
        version          integer     NOT NULL,
        view             jsonb       NOT NULL,
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    // "My orders, newest first"; order_id breaks ties so keyset pagination is stable.
    await queryRunner.query(`
      CREATE INDEX order_status_customer_placed_idx
        ON order_status (customer_id, placed_at DESC, order_id DESC)`);
    // "Stuck orders per stage": only orders still moving. Terminal orders are most of the table
    // over time and never stuck. The terminal stages are spelled out, not imported, because a
    // migration is history and must not change when the domain does.
    await queryRunner.query(`
      CREATE INDEX order_status_open_stage_deadline_idx
        ON order_status (stage, stage_deadline)
        WHERE stage NOT IN ('Delivered', 'Cancelled', 'Rejected', 'Failed')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE order_status');
  }
}
