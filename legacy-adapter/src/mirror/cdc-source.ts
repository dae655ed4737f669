/**
 * Mirrors the monolith from its transaction log: PostgreSQL logical replication with the
 * built-in `pgoutput` plugin, through a publication on the configured tables and a replication
 * slot, both created here if missing. Changes are collected per transaction and mapped when the
 * transaction commits; the slot's position is acknowledged only after Kafka has every fact of
 * that transaction. After a crash or restart, PostgreSQL resends from the last acknowledged
 * position: nothing is lost, and what is sent twice has the same event ids.
 */
import type { Pool } from 'pg';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import type { Logger } from '@order-platform/runtime';
import type { LegacyMapping, RowChange } from './legacy-mapping-port';
import type { MirroredRecord, MirrorPublisher } from './mirror-publisher';

export interface CdcSourceOptions {
  connectionString: string;
  /** Which tables to stream (its `tables`) and how their changes become facts. */
  mapping: LegacyMapping;
  publication: string;
  slot: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const QUALIFIED = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/** Pauses between replication streams: doubling from the first to the last. */
const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 30_000;

export class CdcSource {
  private service?: LogicalReplicationService;
  private running = false;
  private supervising?: Promise<void>;
  private transaction: RowChange[] = [];
  private lastAcknowledged?: string;

  constructor(
    private readonly pool: Pool,
    private readonly publisher: MirrorPublisher,
    private readonly options: CdcSourceOptions,
    private readonly logger: Logger,
  ) {
    const { mapping, publication, slot } = options;
    for (const table of mapping.tables) {
      if (!QUALIFIED.test(table)) throw new Error(`not a schema-qualified table: ${table}`);
    }
    if (mapping.tables.length === 0) throw new Error(`mapping ${mapping.name} names no tables`);
    if (!IDENTIFIER.test(publication) || !IDENTIFIER.test(slot)) {
      throw new Error('publication and slot names must be lower-case identifiers');
    }
  }

  /** Creates (or aligns) the publication and the slot. Idempotent. */
  async setup(): Promise<void> {
    const { mapping, publication, slot } = this.options;
    const tableList = mapping.tables.join(', ');
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [`mirror-setup:${slot}`]);
      const existing = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [
        publication,
      ]);
      await client.query(
        existing.rowCount === 0
          ? `CREATE PUBLICATION ${publication} FOR TABLE ${tableList}`
          : `ALTER PUBLICATION ${publication} SET TABLE ${tableList}`,
      );
      const slots = await client.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [
        slot,
      ]);
      if (slots.rowCount === 0) {
        await client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
        this.logger.info('replication slot created', { slot });
      }
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`mirror-setup:${slot}`]);
    } finally {
      client.release();
    }
  }

  /**
   * Streams until stopped. Whatever ends a stream (PostgreSQL restarting, Kafka refusing a
   * transaction's facts) ends it without acknowledging anything more, and a new stream starts
   * from the slot's last acknowledged position, after a growing pause: the transaction that
   * failed is sent again, never skipped.
   */
  async start(): Promise<void> {
    await this.setup();
    this.running = true;
    this.supervising = this.supervise();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.service?.stop().catch(() => undefined);
    await this.supervising;
  }

  private async supervise(): Promise<void> {
    let pauseMs = RESTART_MIN_MS;
    while (this.running) {
      const startedAt = Date.now();
      const why = await this.streamUntilItEnds();
      if (!this.running) return;
      // A stream that ran a while was healthy: start the pauses from the shortest again.
      if (Date.now() - startedAt > RESTART_MAX_MS) pauseMs = RESTART_MIN_MS;
      this.logger.error('replication stream ended; resuming from the last acknowledged position', {
        error: why,
        lastAcknowledged: this.lastAcknowledged,
        retryInMs: pauseMs,
      });
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      pauseMs = Math.min(pauseMs * 2, RESTART_MAX_MS);
      await this.setup().catch((error: unknown) =>
        this.logger.warn('mirror setup failed; will try again', { error: String(error) }),
      );
    }
  }

  /** One replication stream; resolves with the reason it ended. */
  private streamUntilItEnds(): Promise<string> {
    return new Promise((resolve) => {
      const service = new LogicalReplicationService(
        { connectionString: this.options.connectionString },
        // Manual acknowledgements (after Kafka has the facts), and one message at a time.
        { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } },
      );
      this.service = service;
      this.transaction = [];
      let ended = false;
      const end = (reason: unknown): void => {
        if (ended) return;
        ended = true;
        void service
          .stop()
          .catch(() => undefined)
          .then(() => resolve(String(reason)));
      };
      // After a failure nothing more is handled, so nothing later is acknowledged past it.
      service.on('data', (lsn: string, message: Pgoutput.Message) =>
        ended ? undefined : this.onMessage(service, lsn, message).catch(end),
      );
      service.on('heartbeat', async (_lsn: string, _at: number, shouldRespond: boolean) => {
        // Answer with what is really done, never with the server's current position.
        if (shouldRespond && this.lastAcknowledged && !ended)
          await service.acknowledge(this.lastAcknowledged).catch(end);
      });
      service.on('error', end);
      service
        .subscribe(
          new PgoutputPlugin({ protoVersion: 1, publicationNames: [this.options.publication] }),
          this.options.slot,
        )
        .then(() => end(this.running ? 'the stream closed' : 'stopped'), end);
    });
  }

  private async onMessage(
    service: LogicalReplicationService,
    lsn: string,
    message: Pgoutput.Message,
  ): Promise<void> {
    switch (message.tag) {
      case 'begin':
        this.transaction = [];
        return;
      case 'insert':
      case 'update':
        this.transaction.push({
          table: `${message.relation.schema}.${message.relation.name}`,
          kind: message.tag,
          row: message.new,
        });
        return;
      case 'commit': {
        const changes = this.transaction;
        this.transaction = [];
        const committedAt = new Date(Number(message.commitTime) / 1000).toISOString();
        if (changes.length > 0)
          await this.publisher.publish(await this.records(changes, committedAt, lsn));
        await service.acknowledge(lsn);
        this.lastAcknowledged = lsn;
        return;
      }
      default:
        return;
    }
  }

  private async records(
    changes: RowChange[],
    committedAt: string,
    lsn: string,
  ): Promise<MirroredRecord[]> {
    const { mapping } = this.options;
    const mapped = await mapping.fromTransaction(changes, {
      committedAt,
      related: (table, column, value) => this.related(table, column, value),
    });
    return mapped.map(({ source, mapped }) => ({ mapped, position: `lsn:${lsn}`, raw: source }));
  }

  /** Rows of one of the mapping's tables by one column (an order's lines, say). */
  private async related(
    table: string,
    column: string,
    value: unknown,
  ): Promise<Record<string, unknown>[]> {
    if (!this.options.mapping.tables.includes(table) || !IDENTIFIER.test(column)) {
      throw new Error(`mapping ${this.options.mapping.name} asked for ${table}.${column}`);
    }
    const { rows } = await this.pool.query(`SELECT * FROM ${table} WHERE ${column} = $1`, [value]);
    return rows;
  }
}
