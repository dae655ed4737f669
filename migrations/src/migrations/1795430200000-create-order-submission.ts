import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Orders as the gateway admitted them, one row per order, keyed for idempotency: a customer's
 * `Idempotency-Key` maps to one order id and the hash of the request it came with. A retry with
 * the same key and body finds the same order (and re-starts its workflow if the first attempt
 * crashed before the start); the same key with another body is a conflict. `placed_order` is
 * the order as handed to the workflow, so the gateway can answer RECEIVED before the first
 * projection reaches the read model.
 */
export class CreateOrderSubmission1795430200000 implements MigrationInterface {
  name = 'CreateOrderSubmission1795430200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE order_submission (
        order_id        text        PRIMARY KEY,
        customer_id     text        NOT NULL,
        idempotency_key text        NOT NULL,
        request_hash    text        NOT NULL,
        placed_order    jsonb       NOT NULL,
        placed_at       timestamptz NOT NULL,
        CONSTRAINT order_submission_customer_key_uq UNIQUE (customer_id, idempotency_key)
      )`);
    // "My orders, newest first" for orders not yet in the read model, and the recent window
    // the backlog counts as AcceptedForProcessing.
    await queryRunner.query(`
      CREATE INDEX order_submission_customer_placed_idx
        ON order_submission (customer_id, placed_at DESC, order_id DESC)`);
    await queryRunner.query(
      `CREATE INDEX order_submission_placed_idx ON order_submission (placed_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE order_submission');
  }
}
