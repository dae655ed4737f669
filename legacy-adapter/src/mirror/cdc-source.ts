/**
 * Mirrors the monolith from its transaction log: PostgreSQL logical replication with the
 * built-in `pgoutput` plugin, through a publication on the configured tables and a replication
 * slot, both created here if missing. A transaction's changes are mapped and sent in chunks of at
 * most `chunkRows` rows (and about `chunkBytes` of row data) as they stream in, so memory stays
 * bounded whatever the transaction's size; the stream is paused while a chunk is sent. The
 * slot's position is acknowledged only at the transaction's commit, after Kafka has every fact
 * of every chunk. After a crash or restart, PostgreSQL resends the whole transaction from the
 * last acknowledged position: nothing is lost, and what is sent twice has the same event ids.
 *
 * While more of the stream is already received (a backlog), a committed transaction's facts are
 * held and sent together with the next ones, up to `chunkRows` rows and `chunkBytes`, in commit
 * order: one Kafka round trip for many small transactions. The slot then moves to the last of
 * their commits once Kafka has all of them, so ack-after-Kafka holds for each.
 */
import type { Pool, PoolClient } from 'pg';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import type { Logger } from '@order-platform/runtime';
import type { LegacyMapping, RowChange } from './legacy-mapping-port';
import type { MirroredRecord, MirrorPublisher } from './mirror-publisher';
import { lsnBytes, lsnFromBytes } from './slot-watch';

/** Whether the monolith's database has the slot: changes from before it exists are never streamed. */
export async function replicationSlotExists(db: Pool | PoolClient, slot: string): Promise<boolean> {
  const found = await db.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return found.rowCount === 1;
}

export interface CdcSourceOptions {
  connectionString: string;
  /** Which tables to stream (its `tables`) and how their changes become facts. */
  mapping: LegacyMapping;
  publication: string;
  slot: string;
  /** Row changes of one transaction held before they are sent (a larger one goes in chunks). */
  chunkRows: number;
  /** About how much row data (characters) is held before a chunk is sent. */
  chunkBytes: number;
}

/** The transaction being streamed: its changes since the last chunk, and whether it was cut. */
interface OpenTransaction {
  changes: RowChange[];
  heldBytes: number;
  committedAt: string;
  /** The transaction's commit position, named in dead letters. */
  position: string;
  /** Some of its changes were sent already: the lines of its orders are read back, whole. */
  chunked: boolean;
}

/** Committed transactions whose facts wait to go out with the next ones. */
interface HeldCommits {
  records: MirroredRecord[];
  rows: number;
  bytes: number;
  transactions: number;
  /** The last one's commit position in the stream: acknowledged once Kafka has them all. */
  lastLsn: string;
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
  private transaction?: OpenTransaction;
  private held?: HeldCommits;
  private lastAcknowledged?: string;
  private failing?: number;
  private wakeFromPause?: () => void;

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
    let failure: Error | undefined;
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
      if (!(await replicationSlotExists(client, slot))) {
        await client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
        this.logger.info('replication slot created', { slot });
      }
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`mirror-setup:${slot}`]);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      // A failed setup may still hold the session lock: its connection is closed, not pooled,
      // or every other setup would wait for that lock while the connection idles in the pool.
      client.release(failure);
    }
  }

  /**
   * Streams until stopped. Whatever ends a stream (PostgreSQL restarting, Kafka refusing a
   * transaction's facts) ends it without acknowledging anything more, and a new stream starts
   * from the slot's last acknowledged position, after a growing pause: the transaction that
   * failed is sent again, never skipped.
   */
  async start(): Promise<void> {
    // A leader again after standing by: the slot moved on under another adapter since.
    this.lastAcknowledged = undefined;
    this.failing = undefined;
    await this.setup();
    this.running = true;
    this.supervising = this.supervise();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeFromPause?.();
    await this.service?.stop().catch(() => undefined);
    await this.supervising;
  }

  /**
   * Run only by the elected leader (leader-election.ts), just before each stream, so whoever else
   * still reads the slot is a leader that lost its lock and has not noticed yet (its machine cut
   * off, say): its stream is ended, so the slot is free at once instead of after the server's
   * `wal_sender_timeout`. Allowed for the same role (or pg_signal_backend); refused, the slot
   * frees itself later.
   */
  private async endStaleReaders(): Promise<void> {
    const { slot } = this.options;
    await this.pool
      .query<{ pid: number; ended: boolean }>(
        `SELECT active_pid AS pid, pg_terminate_backend(active_pid) AS ended
           FROM pg_replication_slots
          WHERE slot_name = $1 AND active AND active_pid <> pg_backend_pid()`,
        [slot],
      )
      .then(
        ({ rows }) =>
          rows.forEach(({ pid, ended }) =>
            this.logger.warn('ended a stale reader of the replication slot', { slot, pid, ended }),
          ),
        (error: unknown) =>
          this.logger.warn('a stale reader of the replication slot not ended', {
            slot,
            error: String(error),
          }),
      );
  }

  private async supervise(): Promise<void> {
    let pauseMs = RESTART_MIN_MS;
    while (this.running) {
      await this.endStaleReaders();
      if (!this.running) return;
      const startedAt = Date.now();
      const why = await this.streamUntilItEnds();
      if (!this.running) return;
      this.failing ??= Date.now();
      // A stream that ran a while was healthy: start the pauses from the shortest again.
      if (Date.now() - startedAt > RESTART_MAX_MS) pauseMs = RESTART_MIN_MS;
      this.logger.error('replication stream ended; resuming from the last acknowledged position', {
        error: why,
        lastAcknowledged: this.lastAcknowledged,
        retryInMs: pauseMs,
      });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pauseMs);
        // Stopping (a leader stepping down) does not wait out the pause.
        this.wakeFromPause = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeFromPause = undefined;
      // Stopped during the pause: no longer the leader, so it must not touch the slot again.
      if (!this.running) return;
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
      this.transaction = undefined;
      const streamStartedAt = Date.now();
      // Unsent, unacknowledged: the new stream sends them again from the slot's position.
      this.held = undefined;
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
      service.on('heartbeat', async (lsn: string, _at: number, shouldRespond: boolean) => {
        if (ended) return;
        // Idle (no transaction open, nothing received left to handle): everything up to the
        // server's position has been sent and handled, so the slot may move there. Without this
        // an idle mirror would hold the WAL the cluster's other databases write, for ever.
        const ahead =
          this.lastAcknowledged === undefined || lsnBytes(lsn) > lsnBytes(this.lastAcknowledged);
        const idle = this.idle(service);
        // Idle on a stream that has stood as long as a healthy one: what failed works again. (Not
        // sooner: a new stream is idle until the transaction that broke the last one comes again.)
        if (idle && Date.now() - streamStartedAt > RESTART_MAX_MS) this.failing = undefined;
        if (idle && ahead) {
          await confirmHandledUpTo(service, lsn).catch(end);
          this.lastAcknowledged = lsn;
        } else if (shouldRespond && this.lastAcknowledged) {
          // Busy: answer with what is really done, never with the server's current position.
          await confirmHandledUpTo(service, this.lastAcknowledged).catch(end);
        }
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

  /** Since when (epoch ms) streams have ended without progress; undefined while mirroring. */
  failingSince(): number | undefined {
    return this.failing;
  }

  /** The last acknowledged position: the slot's confirmed position as this mirror knows it. */
  get acknowledged(): string | undefined {
    return this.lastAcknowledged;
  }

  /** No transaction open or held, and nothing received waiting to be handled. */
  private idle(service: LogicalReplicationService): boolean {
    // The library's queue of received messages (flow control): unknown means not idle.
    const queue = (service as unknown as { _messageQueue?: unknown[]; _processing?: boolean })
      ._messageQueue;
    const processing = (service as unknown as { _processing?: boolean })._processing;
    return (
      this.transaction === undefined &&
      this.held === undefined &&
      Array.isArray(queue) &&
      queue.length === 0 &&
      !processing
    );
  }

  /** More of the stream is received and waiting (the library's queue): a backlog. */
  private moreReceived(service: LogicalReplicationService): boolean {
    const queue = (service as unknown as { _messageQueue?: unknown[] })._messageQueue;
    return Array.isArray(queue) && queue.length > 0;
  }

  private async onMessage(
    service: LogicalReplicationService,
    lsn: string,
    message: Pgoutput.Message,
  ): Promise<void> {
    switch (message.tag) {
      case 'begin':
        this.transaction = {
          changes: [],
          heldBytes: 0,
          committedAt: new Date(Number(message.commitTime) / 1000).toISOString(),
          position: `lsn:${message.commitLsn ?? lsn}`,
          chunked: false,
        };
        return;
      case 'insert':
      case 'update': {
        const transaction = this.transaction;
        if (!transaction) return;
        transaction.changes.push({
          table: `${message.relation.schema}.${message.relation.name}`,
          kind: message.tag,
          row: message.new,
        });
        transaction.heldBytes += rowBytes(message.new);
        if (
          transaction.changes.length >= this.options.chunkRows ||
          transaction.heldBytes >= this.options.chunkBytes
        ) {
          transaction.chunked = true;
          await this.sendChunk(service, transaction);
        }
        return;
      }
      case 'commit': {
        const transaction = this.transaction;
        const held = (this.held ??= {
          records: [],
          rows: 0,
          bytes: 0,
          transactions: 0,
          lastLsn: lsn,
        });
        if (transaction && transaction.changes.length > 0) {
          held.rows += transaction.changes.length;
          held.bytes += transaction.heldBytes;
          const records = await this.records(transaction.changes, transaction);
          for (const record of records)
            held.records.push({ ...record, transaction: held.transactions });
        }
        held.transactions += 1;
        held.lastLsn = lsn;
        this.transaction = undefined;
        const room = held.rows < this.options.chunkRows && held.bytes < this.options.chunkBytes;
        if (room && this.moreReceived(service)) return;
        await this.sendHeld(service);
        return;
      }
      default:
        return;
    }
  }

  /** Sends the held transactions' facts; once Kafka has them, the slot moves past their commits. */
  private async sendHeld(service: LogicalReplicationService): Promise<void> {
    const held = this.held;
    if (!held) return;
    if (held.records.length > 0) await this.publisher.publish(held.records);
    await confirmHandledUpTo(service, held.lastLsn);
    this.lastAcknowledged = held.lastLsn;
    this.held = undefined;
    this.failing = undefined;
  }

  /**
   * Maps and sends the changes held so far, after the facts of transactions committed before it
   * (which are then acknowledged, after this send); resolves once Kafka has them.
   */
  private async sendChunk(
    service: LogicalReplicationService,
    transaction: OpenTransaction,
  ): Promise<void> {
    const changes = transaction.changes;
    transaction.changes = [];
    transaction.heldBytes = 0;
    if (changes.length === 0) return;
    const records = await this.records(changes, transaction);
    const held = this.held;
    if (!held) {
      if (records.length > 0) await this.publisher.publish(records);
      return;
    }
    const sent = [
      ...held.records,
      ...records.map((r) => ({ ...r, transaction: held.transactions })),
    ];
    if (sent.length > 0) await this.publisher.publish(sent);
    held.records = [];
    await this.sendHeld(service);
  }

  private async records(
    changes: RowChange[],
    { committedAt, position, chunked }: OpenTransaction,
  ): Promise<MirroredRecord[]> {
    const mapped = await this.options.mapping.fromTransaction(changes, {
      committedAt,
      partial: chunked,
      related: (table, column, values) => this.related(table, column, values),
    });
    return mapped.map(({ source, mapped }) => ({ mapped, position, raw: source }));
  }

  /** Rows of one of the mapping's tables by one column (the lines of orders, say): one query. */
  private async related(
    table: string,
    column: string,
    values: readonly unknown[],
  ): Promise<Record<string, unknown>[]> {
    if (!this.options.mapping.tables.includes(table) || !IDENTIFIER.test(column)) {
      throw new Error(`mapping ${this.options.mapping.name} asked for ${table}.${column}`);
    }
    if (values.length === 0) return [];
    const { rows } = await this.pool.query(`SELECT * FROM ${table} WHERE ${column} = ANY($1)`, [
      values,
    ]);
    return rows;
  }
}

/**
 * Moves the slot to `lsn`, exactly: the next stream (after a crash, a restart, a failover) starts
 * there, and a transaction whose commit record begins at `lsn` comes again. A commit message's
 * position and a keepalive's already point just past what they cover, but pg-logical-replication's
 * `acknowledge` reports one byte more than it is given (physical replication's "last byte + 1"):
 * that byte would skip a commit written right there, so it is given one byte less.
 */
function confirmHandledUpTo(service: LogicalReplicationService, lsn: string): Promise<boolean> {
  return service.acknowledge(lsnFromBytes(lsnBytes(lsn) - 1));
}

/** Roughly what a decoded row holds (its text), to bound what a transaction keeps in memory. */
function rowBytes(row: Record<string, unknown>): number {
  let bytes = 0;
  for (const value of Object.values(row)) bytes += typeof value === 'string' ? value.length : 8;
  return bytes;
}
