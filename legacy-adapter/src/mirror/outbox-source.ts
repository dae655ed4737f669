/**
 * The second way to mirror a monolith, for those that cannot enable logical replication: poll
 * its outbox. Only the elected adapter polls (leader-election.ts), which keeps the rows in the
 * outbox's order; each batch is claimed with `FOR UPDATE SKIP LOCKED` besides, so a deposed
 * leader's batch still in flight keeps its rows and two adapters never take the same ones. It is
 * published, and marked published in the same transaction only after Kafka has it:
 * a crash in between leaves the rows unpublished, to be sent again (the event ids are the same,
 * so consumers recognise the repeat), and nothing is lost. A malformed row (a payload the mapping
 * cannot read, an unknown event type, a fact too large for the broker) is parked on the
 * dead-letter topic with its reason and `outbox:<id>` position, and marked published like the
 * rest of its batch (its dead letter is what was published), so it is not retried for ever and
 * the rows after it flow. Only a failure to reach the database or Kafka leaves a batch to retry.
 */
import type { Pool } from 'pg';
import { inTransaction, type Logger } from '@order-platform/runtime';
import type { LegacyMapping, Mapped, OutboxRecord } from './legacy-mapping-port';
import type { MirrorPublisher } from './mirror-publisher';

export interface OutboxSourceOptions {
  /** Which outbox to poll (its `outboxTable`) and how its records become facts. */
  mapping: LegacyMapping;
  batchSize: number;
  /** Wait between polls when the last one found nothing. */
  idleMs: number;
}

export class OutboxSource {
  private running = false;
  private readonly table: string;
  private readonly map: (record: OutboxRecord) => Mapped;
  private loop?: Promise<void>;
  private failing?: number;

  constructor(
    private readonly pool: Pool,
    private readonly publisher: MirrorPublisher,
    private readonly options: OutboxSourceOptions,
    private readonly logger: Logger,
  ) {
    const { outboxTable, fromOutbox, name } = options.mapping;
    if (!outboxTable || !fromOutbox) throw new Error(`mapping ${name} reads no outbox`);
    if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(outboxTable)) {
      throw new Error(`not a table name: ${outboxTable}`);
    }
    this.table = outboxTable;
    this.map = fromOutbox.bind(options.mapping);
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Publishes one batch; returns how many rows it took. */
  async pollOnce(): Promise<number> {
    return inTransaction(this.pool, async (tx) => {
      // Ordered by the column, not the text alias `id`, which would put row 10 before row 9.
      const { rows } = await tx.query<OutboxRecord>(
        `SELECT id::text AS id, aggregate_id, event_type, payload, occurred_at
           FROM ${this.table} AS record
          WHERE published_at IS NULL
          ORDER BY record.id
          LIMIT $1
          FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize],
      );
      if (rows.length === 0) return 0;
      const { deadLettered } = await this.publisher.publish(
        rows.map((row) => ({
          mapped: this.map(row),
          position: `outbox:${row.id}`,
          raw: row,
        })),
      );
      await tx.query(`UPDATE ${this.table} SET published_at = now() WHERE id = ANY($1::bigint[])`, [
        rows.map((row) => row.id),
      ]);
      if (deadLettered > 0) {
        this.logger.warn('outbox rows parked on the dead-letter topic', {
          deadLettered,
          firstId: rows[0]!.id,
          lastId: rows.at(-1)!.id,
        });
      }
      return rows.length;
    });
  }

  /** Since when (epoch ms) every poll has failed; undefined while polls succeed. */
  failingSince(): number | undefined {
    return this.failing;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let taken = 0;
      try {
        taken = await this.pollOnce();
        this.failing = undefined;
      } catch (error) {
        this.failing ??= Date.now();
        // The monolith's database or Kafka is away: the rows stay unpublished; try again.
        this.logger.warn('outbox poll failed', { error: String(error) });
      }
      if (taken < this.options.batchSize) await sleep(this.options.idleMs);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
