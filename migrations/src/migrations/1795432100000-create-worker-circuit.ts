import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What each worker process's circuit breakers say, for operators: a breaker's state is the
 * process's own (each worker learns about a failing provider from its own calls), so each
 * worker reports its state here on every change and every few seconds, and the operator API
 * shows the ones that reported lately. One row per worker process and circuit.
 */
export class CreateWorkerCircuit1795432100000 implements MigrationInterface {
  name = 'CreateWorkerCircuit1795432100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE worker_circuit (
        worker_id   text        NOT NULL,
        circuit     text        NOT NULL,
        task_queue  text        NOT NULL,
        state       text        NOT NULL
          CONSTRAINT worker_circuit_state_ck CHECK (state IN ('closed', 'open', 'half-open')),
        why         text        NOT NULL,
        changed_at  timestamptz NOT NULL,
        reported_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (worker_id, circuit)
      )`);
    await queryRunner.query(
      'CREATE INDEX worker_circuit_queue_idx ON worker_circuit (task_queue, reported_at)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE worker_circuit');
  }
}
