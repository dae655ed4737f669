import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The inbox of idempotent consumers: a consumer records each event id in the same transaction
 * as its durable effect, so a redelivered event (Kafka is at-least-once) is recognised and
 * skipped instead of applied twice.
 */
export class CreateInbox1795430000000 implements MigrationInterface {
  name = 'CreateInbox1795430000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE inbox_event (
        consumer     text        NOT NULL,
        event_id     text        NOT NULL,
        topic        text        NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await queryRunner.query(
      'CREATE INDEX inbox_event_processed_at_idx ON inbox_event (processed_at)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE inbox_event');
  }
}
