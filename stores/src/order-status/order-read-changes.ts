/**
 * What changed in the status read's tables, as PostgreSQL announces it (the migration
 * NotifyOrderReadChanges1795432400000): the order's id, or "everything" when notifications may
 * have been missed (the listening connection was lost or has just been made) or a table was
 * truncated.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { ConnectionLossLogger } from '../connection';

export const ORDER_READ_CHANGED_CHANNEL = 'order_read_changed';
/** The beats of its own that each listener sends itself, to prove notifications reach it. */
const HEARTBEAT_CHANNEL = 'order_read_heartbeat';
/**
 * What the migration made to announce, each on its table and firing in every session ('O', or
 * 'A'lways; a disabled or replica-only trigger leaves changes unsaid).
 */
const ANNOUNCING_TRIGGERS_SQL = `
  SELECT count(*)::int AS triggers, pg_notification_queue_usage() AS queue_usage FROM pg_trigger
   WHERE NOT tgisinternal AND tgenabled IN ('O', 'A')
     AND (tgrelid, tgname) IN (('order_status'::regclass, 'order_status_read_changed'),
                               ('order_status'::regclass, 'order_status_read_truncated'),
                               ('order_submission'::regclass, 'order_submission_read_changed'),
                               ('order_submission'::regclass, 'order_submission_read_truncated'))`;
const ANNOUNCING_TRIGGERS = 4;

/** An order's id, or `undefined` for "anything may have changed". */
export type OrderReadChange = (orderId: string | undefined) => void;

export interface OrderReadChanges {
  /** True only while every committed change is announced: caching is safe only then. */
  readonly listening: boolean;
  onChange(listener: OrderReadChange): void;
}

/**
 * LISTENs on its own connection and keeps listening: a lost connection stops `listening` at
 * once and announces "everything"; it is made again every `retryMs` until it succeeds, and the
 * first LISTEN after that announces "everything" again (what was committed meanwhile went
 * unannounced). Every `heartbeatMs` it checks that the triggers which announce are there and
 * enabled, and sends itself a notification that must come back before the next beat: a
 * connection that died silently (a network partition sends no reset), or one whose
 * notifications do not arrive (a pooler in transaction mode), stops it within two beats.
 */
export class PostgresOrderReadChanges implements OrderReadChanges {
  private client: Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private beats = 0;
  /** The beat sent and not yet come back. */
  private awaitedBeat: string | undefined;
  private readonly listeners: OrderReadChange[] = [];
  /** Warned since it last listened: a long outage is logged once. */
  private warned = false;
  listening = false;
  /**
   * The share of the server's notification queue in use (0 to 1), as the last beat saw it;
   * undefined while not listening. When it is full every notifying commit fails, the writes of
   * `order_status` and `order_submission` among them.
   */
  notificationQueueUsage: number | undefined;

  constructor(
    private readonly url: string,
    private readonly options: {
      applicationName: string;
      logger: ConnectionLossLogger & { info(message: string): void };
      retryMs?: number;
      heartbeatMs?: number;
    },
  ) {}

  onChange(listener: OrderReadChange): void {
    this.listeners.push(listener);
  }

  /** Starts listening; resolves once the first attempt has succeeded or failed. */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.lose(client);
    // Bounded: a server that no longer answers must not hold the gateway's shutdown.
    if (client)
      await Promise.race([
        client.end().catch(() => undefined),
        sleep(2_000, undefined, { ref: false }),
      ]);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const heartbeatMs = this.options.heartbeatMs ?? 2_000;
    const client = new Client({
      connectionString: this.url,
      application_name: this.options.applicationName,
      query_timeout: heartbeatMs,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    });
    client.on('notification', (message) => {
      if (client !== this.client) return;
      if (message.channel === HEARTBEAT_CHANNEL) {
        if (message.payload === this.awaitedBeat) this.awaitedBeat = undefined;
      } else if (this.listening) this.announce(message.payload || undefined);
    });
    // Without a listener an 'error' would end the process; 'end' follows a lost connection.
    client.on('error', (error) => this.fail(client, 'connection lost', error));
    client.on('end', () => this.lose(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${ORDER_READ_CHANGED_CHANNEL}`);
      await client.query(`LISTEN ${HEARTBEAT_CHANNEL}`);
      await this.checkAnnounced(client);
    } catch (error) {
      this.fail(client, 'not listening, will try again', error);
      return;
    }
    if (client !== this.client || this.stopped) return;
    this.listening = true;
    this.warned = false;
    this.announce(undefined);
    this.options.logger.info('order read changes: listening');
    this.awaitedBeat = undefined;
    this.heartbeat = setInterval(() => {
      if (this.awaitedBeat !== undefined) {
        this.fail(client, 'its own notification did not come back', new Error('no heartbeat'));
        return;
      }
      const beat = String((this.beats += 1));
      this.awaitedBeat = beat;
      this.checkAnnounced(client)
        .then(() => client.query('SELECT pg_notify($1, $2)', [HEARTBEAT_CHANNEL, beat]))
        .catch((error: unknown) =>
          this.fail(client, 'connection not answering, or changes no longer announced', error),
        );
    }, heartbeatMs);
  }

  /** Answers on the connection, and the triggers that announce are there and enabled. */
  private async checkAnnounced(client: Client): Promise<void> {
    const { rows } = await client.query<{ triggers: number; queue_usage: number }>(
      ANNOUNCING_TRIGGERS_SQL,
    );
    this.notificationQueueUsage = rows[0]?.queue_usage;
    if (rows[0]?.triggers !== ANNOUNCING_TRIGGERS)
      throw new Error(
        'changes are not announced: the triggers of migration NotifyOrderReadChanges1795432400000 are missing or not enabled',
      );
  }

  /** Gives the connection up (warning once per outage, not once per retry). */
  private fail(client: Client, what: string, error: unknown): void {
    if (client !== this.client) return;
    if (!this.warned) this.options.logger.warn(`order read changes: ${what}`, { error });
    this.warned = true;
    this.lose(client);
    void client.end().catch(() => undefined);
  }

  /** The connection is gone: nothing is announced until the next LISTEN. */
  private lose(client: Client | undefined): void {
    if (client === undefined || client !== this.client) return;
    this.client = undefined;
    this.listening = false;
    this.notificationQueueUsage = undefined;
    clearInterval(this.heartbeat);
    this.announce(undefined);
    if (!this.stopped)
      this.retry = setTimeout(() => void this.connect(), this.options.retryMs ?? 1_000);
  }

  private announce(orderId: string | undefined): void {
    for (const listener of this.listeners) listener(orderId);
  }
}
