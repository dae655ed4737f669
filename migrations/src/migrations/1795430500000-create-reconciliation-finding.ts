import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What reconciliation found: each difference between what the workflows believe and what the
 * payment ledger and the warehouse hold, once per order, kind and subject (so a re-run adds
 * nothing it already knows). Safe ones are `repaired` on the spot (and audited); the rest wait
 * `open` in the exception queue until an operator resolves them with a note.
 */
export class CreateReconciliationFinding1795430500000 implements MigrationInterface {
  name = 'CreateReconciliationFinding1795430500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE reconciliation_finding (
        id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_id    text        NOT NULL,
        kind        text        NOT NULL CHECK (kind IN
                      ('orphan-authorization', 'orphan-reservation', 'state-drift', 'double-charge')),
        subject     text        NOT NULL,
        detail      text        NOT NULL,
        repair      jsonb,
        status      text        NOT NULL CHECK (status IN ('repaired', 'open', 'resolved')),
        run_id      text        NOT NULL,
        found_at    timestamptz NOT NULL DEFAULT now(),
        resolved_by text,
        resolved_at timestamptz,
        note        text,
        CONSTRAINT reconciliation_finding_subject_uq UNIQUE (order_id, kind, subject)
      )`);
    // The exception queue: open findings, oldest first.
    await queryRunner.query(`
      CREATE INDEX reconciliation_finding_open_idx ON reconciliation_finding (found_at)
        WHERE status = 'open'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE reconciliation_finding');
  }
}
