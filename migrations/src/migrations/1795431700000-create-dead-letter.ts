import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The index of dead-lettered messages: one row per message on a `.dlq` topic, written by the
 * legacy adapter's DLQ indexer from the topic (which stays the record of the bytes), so
 * operators can list, inspect and replay them. `dedupe_key` makes a dead letter sent twice one
 * row; `replay_of` links a message that failed again after a replay to the row it came from;
 * `replays` is the row's history (who replayed it, why, when, and what became of it).
 */
export class CreateDeadLetter1795431700000 implements MigrationInterface {
  name = 'CreateDeadLetter1795431700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE dead_letter (
        id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        dedupe_key       text        NOT NULL UNIQUE,
        dlq_topic        text        NOT NULL,
        dlq_partition    integer     NOT NULL,
        dlq_offset       text        NOT NULL,
        source_topic     text,
        source_partition integer,
        source_offset    text,
        consumer         text        NOT NULL,
        class            text        NOT NULL,
        reason           text        NOT NULL,
        attempts         integer,
        event_id         text,
        message_key      bytea,
        message_value    bytea,
        headers          jsonb       NOT NULL DEFAULT '{}',
        failed_at        timestamptz NOT NULL,
        indexed_at       timestamptz NOT NULL DEFAULT now(),
        replay_of        bigint      REFERENCES dead_letter (id),
        status           text        NOT NULL DEFAULT 'parked'
          CONSTRAINT dead_letter_status_ck CHECK (status IN ('parked', 'replayed', 'failed-again')),
        replays          jsonb       NOT NULL DEFAULT '[]'
      )`);
    // The operator's list: newest first, filtered by source topic or by reason.
    await queryRunner.query(
      'CREATE INDEX dead_letter_source_idx ON dead_letter (source_topic, id DESC)',
    );
    await queryRunner.query('CREATE INDEX dead_letter_status_idx ON dead_letter (status, id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE dead_letter');
  }
}
