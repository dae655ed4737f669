import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Every operator action that changes an order or the platform (a manual review decision, a
 * routing change, a reconciliation repair): who, when, what and why. Append-only.
 */
export class CreateOperatorAudit1795430300000 implements MigrationInterface {
  name = 'CreateOperatorAudit1795430300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE operator_audit (
        id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        operator_id text        NOT NULL,
        action      text        NOT NULL,
        subject     text        NOT NULL,
        details     jsonb       NOT NULL DEFAULT '{}'::jsonb,
        at          timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX operator_audit_subject_idx ON operator_audit (subject, at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE operator_audit');
  }
}
