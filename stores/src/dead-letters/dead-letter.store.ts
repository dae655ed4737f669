/**
 * The dead-letter index (`dead_letter`): what lies on the `.dlq` topics, one row per dead letter,
 * so operators can list, inspect and replay them. The Kafka topic stays the record of the bytes;
 * the row is written from it by the legacy adapter's DLQ indexer (`indexDeadLetter`, on the
 * reliable consumer's pg client, in its inbox transaction) and carries the replay history.
 *
 * A replay re-publishes the original message to its source topic with `x-dlq-replay-of: <id>`,
 * so it goes through every consumer's inbox again: what was applied in the meantime is a
 * duplicate, what failed is applied now. When it fails again its new dead letter is indexed with
 * `replay_of` set, and the original row says so in its history (`failed-again`). SQL by hand:
 * jsonb appends, row locks and keyset pages are not TypeORM's to say.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { recordOperatorAction } from '../audit/operator-audit';

export const DEAD_LETTER_STATUSES = ['parked', 'replayed', 'failed-again'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/** One dead letter as read from its `.dlq` topic. */
export interface DeadLetterEntry {
  /** The same dead letter sent twice (a crash between send and commit) is one row. */
  dedupeKey: string;
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: string;
  sourceTopic?: string;
  sourcePartition?: number;
  sourceOffset?: string;
  consumer: string;
  /** `poison`, `bad`, `unclassified`, or whatever a producer of dead letters says. */
  class: string;
  reason: string;
  attempts?: number;
  eventId?: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Header values as text. */
  headers: Record<string, string>;
  failedAt: Date;
  /** The row this message was replayed from, when it failed again. */
  replayOf?: string;
}

export interface ReplayEvent {
  event: 'replayed' | 'failed-again';
  at: string;
  /** replayed: the operator and why. */
  by?: string;
  reason?: string;
  /** failed-again: the new dead letter and its reason. */
  deadLetterId?: string;
}

export interface DeadLetterSummary {
  id: string;
  sourceTopic: string | null;
  sourcePartition: number | null;
  sourceOffset: string | null;
  dlqTopic: string;
  consumer: string;
  class: string;
  reason: string;
  attempts: number | null;
  eventId: string | null;
  key: string | null;
  failedAt: string;
  status: DeadLetterStatus;
  replayOf: string | null;
  replays: ReplayEvent[];
}

export interface DeadLetterDetail extends DeadLetterSummary {
  dlqPartition: number;
  dlqOffset: string;
  indexedAt: string;
  /** The message's value as text (UTF-8, undecodable bytes replaced), and its size. */
  value: string | null;
  valueBytes: number;
  headers: Record<string, string>;
}

export interface DeadLetterFilter {
  sourceTopic?: string;
  /** Rows whose reason contains this text (case-insensitive). */
  reasonContains?: string;
  status?: DeadLetterStatus;
}

/** A replayed message, for the caller to publish. */
export interface ReplayMessage {
  deadLetterId: string;
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export type ReplaySelection = { ids: string[] } | { all: DeadLetterFilter };

export interface ReplayOutcome {
  replayed: string[];
  notFound: string[];
  /**
   * Dead letters with no source topic (the mirror's: their source is the monolith's log), or
   * whose source topic Kafka no longer has. They stay as they were.
   */
  notReplayable: string[];
}

/** Most rows one replay takes: `--all` replays in rounds of this many. */
export const MAX_REPLAY_BATCH = 500;

// PostgreSQL text holds no NUL; a header is text from a producer we do not control.
const text = (value: string): string => value.replaceAll('\u0000', '\uFFFD');

/** Indexes a dead letter within `tx`; @returns false when it was already indexed. */
export async function indexDeadLetter(
  tx: { query(sql: string, params?: unknown[]): Promise<{ rows: { id: string }[] }> },
  entry: DeadLetterEntry,
): Promise<boolean> {
  const headers = Object.fromEntries(
    Object.entries(entry.headers).map(([name, value]) => [text(name), text(value)]),
  );
  const { rows } = await tx.query(
    `INSERT INTO dead_letter (dedupe_key, dlq_topic, dlq_partition, dlq_offset, source_topic,
       source_partition, source_offset, consumer, class, reason, attempts, event_id, message_key,
       message_value, headers, failed_at, replay_of)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
       (SELECT id FROM dead_letter WHERE id::text = $17))
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id::text AS id`,
    [
      text(entry.dedupeKey),
      entry.dlqTopic,
      entry.dlqPartition,
      entry.dlqOffset,
      entry.sourceTopic === undefined ? null : text(entry.sourceTopic),
      entry.sourcePartition ?? null,
      entry.sourceOffset === undefined ? null : text(entry.sourceOffset),
      text(entry.consumer),
      text(entry.class),
      text(entry.reason),
      entry.attempts ?? null,
      entry.eventId === undefined ? null : text(entry.eventId),
      entry.key,
      entry.value,
      JSON.stringify(headers),
      Number.isNaN(entry.failedAt.getTime()) ? new Date() : entry.failedAt,
      entry.replayOf ?? null,
    ],
  );
  const inserted = rows[0]?.id;
  if (inserted === undefined) return false;
  if (entry.replayOf !== undefined) {
    // The replayed row learns that its replay failed, and where the new dead letter is.
    await tx.query(
      `UPDATE dead_letter
          SET status = 'failed-again',
              replays = replays || jsonb_build_array(jsonb_build_object(
                'event', 'failed-again', 'at', now(), 'deadLetterId', $2::text, 'reason', $3::text))
        WHERE id::text = $1`,
      [entry.replayOf, inserted, text(entry.reason)],
    );
  }
  return true;
}

interface Row {
  id: string;
  source_topic: string | null;
  source_partition: number | null;
  source_offset: string | null;
  dlq_topic: string;
  dlq_partition: number;
  dlq_offset: string;
  consumer: string;
  class: string;
  reason: string;
  attempts: number | null;
  event_id: string | null;
  message_key: Buffer | null;
  message_value: Buffer | null;
  headers: Record<string, string>;
  failed_at: Date;
  indexed_at: Date;
  status: DeadLetterStatus;
  replay_of: string | null;
  replays: ReplayEvent[];
}

// `id` is its text form here (bigint beyond 2^53); ORDER BY must name `dead_letter.id`, or
// PostgreSQL sorts by the text alias and "9" comes after "10".
const COLUMNS = `id::text AS id, source_topic, source_partition, source_offset, dlq_topic,
  dlq_partition, dlq_offset, consumer, class, reason, attempts, event_id, message_key, failed_at,
  indexed_at, status, replay_of::text AS replay_of, replays`;

const summary = (row: Row): DeadLetterSummary => ({
  id: row.id,
  sourceTopic: row.source_topic,
  sourcePartition: row.source_partition,
  sourceOffset: row.source_offset,
  dlqTopic: row.dlq_topic,
  consumer: row.consumer,
  class: row.class,
  reason: row.reason,
  attempts: row.attempts,
  eventId: row.event_id,
  key: row.message_key === null ? null : row.message_key.toString('utf8'),
  failedAt: row.failed_at.toISOString(),
  status: row.status,
  replayOf: row.replay_of,
  replays: row.replays,
});

/** The WHERE clause of a filter, its parameters numbered from `first`. */
function where(filter: DeadLetterFilter, first = 1): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.sourceTopic !== undefined) {
    params.push(filter.sourceTopic);
    clauses.push(`source_topic = $${first + params.length - 1}`);
  }
  if (filter.reasonContains !== undefined) {
    // A LIKE pattern from an operator: its wildcards are literal.
    params.push(`%${filter.reasonContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    clauses.push(`reason ILIKE $${first + params.length - 1}`);
  }
  if (filter.status !== undefined) {
    params.push(filter.status);
    clauses.push(`status = $${first + params.length - 1}`);
  }
  return { sql: clauses.length > 0 ? clauses.join(' AND ') : 'true', params };
}

export class DeadLetterStore {
  constructor(private readonly db: DataSource) {}

  /** Dead letters waiting for an operator (parked), per dead-letter topic: the metrics' gauge. */
  async parkedCounts(): Promise<{ dlqTopic: string; parked: number }[]> {
    const rows: { dlq_topic: string; parked: number }[] = await this.db.query(
      `SELECT dlq_topic, count(*)::int AS parked FROM dead_letter WHERE status = 'parked'
        GROUP BY dlq_topic`,
    );
    return rows.map((row) => ({ dlqTopic: row.dlq_topic, parked: row.parked }));
  }

  /** Newest first, a page at a time: `before` is the last id of the previous page. */
  async list(
    filter: DeadLetterFilter,
    page: { limit: number; before?: string },
  ): Promise<{ deadLetters: DeadLetterSummary[]; nextBefore: string | null }> {
    const { sql, params } = where(filter);
    const before = page.before === undefined ? '' : `AND id < $${params.length + 1}::bigint`;
    const rows: Row[] = await this.db.query(
      `SELECT ${COLUMNS} FROM dead_letter WHERE ${sql} ${before}
        ORDER BY dead_letter.id DESC LIMIT ${Math.max(1, Math.min(page.limit, 500)) + 1}`,
      page.before === undefined ? params : [...params, page.before],
    );
    const more = rows.length > page.limit;
    const shown = rows.slice(0, page.limit);
    return {
      deadLetters: shown.map(summary),
      nextBefore: more ? (shown.at(-1)?.id ?? null) : null,
    };
  }

  async show(id: string): Promise<DeadLetterDetail | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const rows: Row[] = await this.db.query(
      `SELECT ${COLUMNS}, message_value, headers FROM dead_letter WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      ...summary(row),
      dlqPartition: row.dlq_partition,
      dlqOffset: row.dlq_offset,
      indexedAt: row.indexed_at.toISOString(),
      value: row.message_value === null ? null : row.message_value.toString('utf8'),
      valueBytes: row.message_value?.length ?? 0,
      headers: row.headers,
    };
  }

  /**
   * Replays the selected dead letters: locks their rows, hands the original messages to
   * `publish` (which must not resolve before they are on their topics), then records each
   * replay in the row's history and in the operator audit, all in one transaction. A failed
   * publish replays nothing. `all` takes parked rows only (a row that failed again has its newer
   * dead letter, parked), at most MAX_REPLAY_BATCH of them. Given the topics Kafka has now, a row
   * whose source topic is not among them is not replayable, like one with no source topic (`all`
   * names up to MAX_REPLAY_BATCH of the former, none of the latter): a send to a missing topic
   * would fail the whole publish after Kafka's retries.
   */
  async replay(
    selection: ReplaySelection,
    by: { operatorId: string; reason: string },
    publish: (messages: ReplayMessage[]) => Promise<void>,
    existingTopics?: ReadonlySet<string>,
  ): Promise<ReplayOutcome> {
    const sendable = (topic: string | null): topic is string =>
      topic !== null && (existingTopics === undefined || existingTopics.has(topic));
    return this.db.transaction(async (manager: EntityManager) => {
      let rows: (Row & { message_value: Buffer | null; headers: Record<string, string> })[];
      let notFound: string[] = [];
      let leftOut: string[] = [];
      if ('ids' in selection) {
        const ids = [...new Set(selection.ids)].filter((id) => /^\d{1,18}$/.test(id));
        rows = await manager.query(
          `SELECT ${COLUMNS}, message_value, headers FROM dead_letter
            WHERE id = ANY($1::bigint[]) ORDER BY dead_letter.id FOR UPDATE`,
          [ids],
        );
        notFound = [...new Set(selection.ids)].filter((id) => !rows.some((r) => r.id === id));
      } else {
        const { sql, params } = where({ ...selection.all, status: 'parked' });
        // Only rows a replay can send are taken: the mirror's (no source topic), or those of a
        // topic that is gone, would fill every round. The latter are named in the answer (the
        // mirror's never can be replayed, so they are not).
        const topics = existingTopics ? [...existingTopics] : undefined;
        const known = topics ? `AND source_topic = ANY($${params.length + 1}::text[])` : '';
        rows = await manager.query(
          `SELECT ${COLUMNS}, message_value, headers FROM dead_letter
            WHERE ${sql} AND source_topic IS NOT NULL ${known}
            ORDER BY dead_letter.id LIMIT ${MAX_REPLAY_BATCH} FOR UPDATE SKIP LOCKED`,
          topics ? [...params, topics] : params,
        );
        const left: { id: string }[] = topics
          ? await manager.query(
              `SELECT id FROM dead_letter
                WHERE ${sql} AND source_topic IS NOT NULL
                  AND NOT source_topic = ANY($${params.length + 1}::text[])
                ORDER BY id LIMIT ${MAX_REPLAY_BATCH}`,
              [...params, topics],
            )
          : [];
        leftOut = left.map((row) => row.id);
      }
      const replayable = rows.filter((row) => sendable(row.source_topic));
      const notReplayable = [
        ...rows.filter((row) => !sendable(row.source_topic)).map((row) => row.id),
        ...leftOut,
      ];
      if (replayable.length > 0) {
        await publish(
          replayable.map((row) => ({
            deadLetterId: row.id,
            topic: row.source_topic!,
            key: row.message_key,
            value: row.message_value,
            // The original headers; the dead letter's own say why it failed then, not now.
            headers: {
              ...Object.fromEntries(
                Object.entries(row.headers).filter(([name]) => !name.startsWith('x-dlq-')),
              ),
              'x-dlq-replay-of': row.id,
            },
          })),
        );
      }
      for (const row of replayable) {
        await manager.query(
          `UPDATE dead_letter
              SET status = 'replayed',
                  replays = replays || jsonb_build_array(jsonb_build_object(
                    'event', 'replayed', 'at', now(), 'by', $2::text, 'reason', $3::text))
            WHERE id = $1`,
          [row.id, by.operatorId, by.reason],
        );
        await recordOperatorAction(manager, {
          operatorId: by.operatorId,
          action: 'dead-letter-replay',
          subject: `dead-letter:${row.id}`,
          details: {
            reason: by.reason,
            sourceTopic: row.source_topic,
            eventId: row.event_id,
            failedFor: row.reason,
          },
        });
      }
      return { replayed: replayable.map((row) => row.id), notFound, notReplayable };
    });
  }
}
