import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The notifications the platform sent its customers (`customer_notification`), for operators:
 * one row per notification, keyed by the idempotency key the notifier delivers by
 * (`<workflowId>/notify-<kind>[-<returnId>]`), so a retried send is recorded once. What was
 * sent, by which channel, when, and the notifier's id for it; no address, name or message text
 * (the order and its customer are found through the order id).
 */
export class CreateCustomerNotification1795432300000 implements MigrationInterface {
  name = 'CreateCustomerNotification1795432300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE customer_notification (
        idempotency_key text        PRIMARY KEY,
        order_id        text        NOT NULL,
        kind            text        NOT NULL,
        return_id       text,
        channel         text        NOT NULL,
        notification_id text        NOT NULL,
        sent_at         timestamptz NOT NULL DEFAULT now()
      )`);
    // The order page lists an order's notifications in the order they were sent.
    await queryRunner.query(
      'CREATE INDEX customer_notification_order_idx ON customer_notification (order_id, sent_at)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE customer_notification');
  }
}
