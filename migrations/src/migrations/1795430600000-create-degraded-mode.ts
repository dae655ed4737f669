import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Degraded modes, per order task queue (each queue's backlog monitor measures its own orders
 * and switches its own modes): the configuration (changed through the ops API, no deploy),
 * whether it is on, why it last changed, and the backlog the monitor last measured. A row
 * appears with the defaults the first time the platform reads it; every change is also in
 * `operator_audit`.
 */
export class CreateDegradedMode1795430600000 implements MigrationInterface {
  name = 'CreateDegradedMode1795430600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE degraded_mode (
        name        text        NOT NULL,
        task_queue  text        NOT NULL,
        config      jsonb       NOT NULL,
        active      boolean     NOT NULL DEFAULT false,
        reason      text,
        changed_at  timestamptz NOT NULL DEFAULT now(),
        measured    jsonb,
        measured_at timestamptz,
        PRIMARY KEY (name, task_queue)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE degraded_mode');
  }
}
