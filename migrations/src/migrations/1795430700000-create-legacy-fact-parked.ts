import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Monolith facts that reached the signal bridge before the `LegacyOrderPlaced` of their order
 * (a replay, a repair, a reordering upstream): kept here, in the inbox's transaction, and handed
 * to the order's workflow as soon as it starts. Never dropped.
 */
export class CreateLegacyFactParked1795430700000 implements MigrationInterface {
  name = 'CreateLegacyFactParked1795430700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE legacy_fact_parked (
        event_id  text        PRIMARY KEY,
        order_id  text        NOT NULL,
        fact      jsonb       NOT NULL,
        parked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      'CREATE INDEX legacy_fact_parked_order_idx ON legacy_fact_parked (order_id, parked_at)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE legacy_fact_parked');
  }
}
