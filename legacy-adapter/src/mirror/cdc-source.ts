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
import type { LegacyLine } from '@order-platform/domain';
import type { Logger } from '@order-platform/runtime';
import {
  eventsFromOrderChange,
  eventsFromPaymentChange,
  type LineRow,
  type OrderRow,
  type PaymentRow,
} from './legacy-mapping';
import type { MirroredRecord, MirrorPublisher } from './mirror-publisher';

export interface CdcSourceOptions {
  connectionString: string;
  /** Schema-qualified: the orders, order lines and payments tables of the monolith. */
  tables: { orders: string; orderLines: string; payments: string };
  publication: string;
  slot: string;
}

interface RowChange {
  table: string;
  kind: 'insert' | 'update';
  row: Record<string, unknown>;
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
    const { tables, publication, slot } = options;
    for (const table of Object.values(tables)) {
      if (!QUALIFIED.test(table)) throw new Error(`not a schema-qualified table: ${table}`);
    }
    if (!IDENTIFIER.test(publication) || !IDENTIFIER.test(slot)) {
      throw new Error('publication and slot names must be lower-case identifiers');
    }
  }

  /** Creates (or aligns) the publication and the slot. Idempotent. */
  async setup(): Promise<void> {
    const { tables, publication, slot } = this.options;
    const tableList = Object.values(tables).join(', ');
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
    const { tables } = this.options;
    const linesInTransaction = new Map<string, LegacyLine[]>();
    for (const change of changes.filter((c) => c.table === tables.orderLines)) {
      const line = change.row as LineRow;
      const lines = linesInTransaction.get(line.order_id) ?? [];
      lines.push({
        sku: line.sku,
        quantity: Number(line.quantity),
        unitPriceMinor: Number(line.unit_price_cents),
      });
      linesInTransaction.set(line.order_id, lines);
    }
    const records: MirroredRecord[] = [];
    for (const change of changes) {
      const position = `lsn:${lsn}`;
      if (change.table === tables.orders) {
        const order = change.row as OrderRow;
        const lines =
          linesInTransaction.get(order.order_id) ?? (await this.linesOf(order.order_id));
        records.push({
          mapped: eventsFromOrderChange({ kind: change.kind, order, lines, committedAt }),
          position,
          raw: change,
        });
      } else if (change.table === tables.payments) {
        records.push({
          mapped: eventsFromPaymentChange({
            kind: change.kind,
            payment: change.row as PaymentRow,
            committedAt,
          }),
          position,
          raw: change,
        });
      }
    }
    return records;
  }

  /** Lines of an order changed in a later transaction (a cancel releases what it reserved). */
  private async linesOf(orderId: string): Promise<LegacyLine[]> {
    const { rows } = await this.pool.query<{
      sku: string;
      quantity: number;
      unit_price_cents: string;
    }>(
      `SELECT sku, quantity, unit_price_cents FROM ${this.options.tables.orderLines}
        WHERE order_id = $1 ORDER BY line_no`,
      [orderId],
    );
    return rows.map((row) => ({
      sku: row.sku,
      quantity: row.quantity,
      unitPriceMinor: Number(row.unit_price_cents),
    }));
  }
}
