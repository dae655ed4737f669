/**
 * Active/standby for the mirror: of N adapters on one replication slot (or one outbox), exactly
 * one mirrors. The leader is whoever holds a session-level PostgreSQL advisory lock on the
 * monolith's database (the one the slot lives in, so the lock shares the slot's fate), taken on a
 * dedicated connection and held for as long as that connection stands. A standby asks for the
 * lock every `pollMs`; a leader checks its session on the same beat.
 *
 * Losing the session (the connection errors or ends, or a check fails) steps the leader down at
 * once, without waiting for the next beat: PostgreSQL has released the lock with the session, so
 * a standby may already be mirroring. A leader that dies (SIGKILL, a crash) closes its socket and
 * PostgreSQL releases the lock at once; a leader whose machine vanishes is noticed by the
 * server's TCP keepalives, set short on this session (about `DEAD_PEER_SECONDS`). The new leader
 * resumes from what the old one acknowledged: the slot's confirmed position, or the outbox rows
 * not marked published.
 *
 * A leader whose mirror keeps failing (its own route to Kafka cut, say) while its session stands
 * would keep the lock for ever: after `stepDownAfterMs` of failing without a break it releases the
 * lock and sits out as many milliseconds before asking again, so a standby gets its turn. If every
 * adapter fails the same way (Kafka down for all), the lead passes round; each resumes from the
 * acknowledged position, so nothing is lost or skipped.
 */
import { Client } from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '@order-platform/runtime';

export interface LeaderElectionOptions {
  /** The monolith's database, where the slot (or the outbox) is. */
  connectionString: string;
  /** What is led: adapters with the same name elect one leader (`mirror:cdc:<slot>`). */
  name: string;
  /** How often a standby asks for the lock, and a leader checks its session. */
  pollMs: number;
  /** This adapter, in logs and `pg_stat_activity.application_name`. */
  instance: string;
  /** A leader failing this long without a break hands the lock on; 0: never. */
  stepDownAfterMs: number;
}

/** What the elected one does: start on winning, stop at once on losing. */
export interface Leadership {
  lead(): Promise<void> | void;
  stepDown(reason: string): Promise<void>;
  /** Since when (epoch ms) the leader's work has failed without a break; undefined: working. */
  failingSince?(): number | undefined;
}

export type LeaderRole = 'leader' | 'standby';

/** The advisory lock's first key, so the lock cannot meet one the monolith takes itself. */
const LOCK_CLASS = 0x4f50_4d52;
/** Server-side keepalives on the lock's session: idle 5 s, then 3 probes 2 s apart. */
const KEEPALIVES = { idle: 5, interval: 2, count: 3 };
export const DEAD_PEER_SECONDS = KEEPALIVES.idle + KEEPALIVES.interval * KEEPALIVES.count;

export class LeaderElection {
  private running = false;
  private loop?: Promise<void>;
  private current: LeaderRole = 'standby';
  /** Whether the lock has been asked for once (and, when won, the lead begun). */
  private answered = false;
  /** Role changes one at a time: a step-down never overtakes the start it undoes. */
  private transition: Promise<void> = Promise.resolve();
  private wake?: () => void;
  /** After handing the lock on for failing: not asking again before this (epoch ms). */
  private sittingOutUntil = 0;
  private readonly leaderGauge: Gauge<'lock'>;
  private readonly elected: Counter<'lock'>;
  private readonly handedOn: Counter<'lock'>;

  constructor(
    private readonly options: LeaderElectionOptions,
    private readonly leadership: Leadership,
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.leaderGauge = new Gauge({
      name: 'order_platform_mirror_leader',
      help: 'Whether this adapter leads the mirror (1) or stands by (0)',
      labelNames: ['lock'] as const,
      registers: [registry],
    });
    this.elected = new Counter({
      name: 'order_platform_mirror_leader_elections_total',
      help: 'Times this adapter won the mirror lock',
      labelNames: ['lock'] as const,
      registers: [registry],
    });
    this.handedOn = new Counter({
      name: 'order_platform_mirror_leader_handovers_total',
      help: 'Times this adapter handed the mirror lock on because its mirror kept failing',
      labelNames: ['lock'] as const,
      registers: [registry],
    });
    this.leaderGauge.set({ lock: options.name }, 0);
    this.elected.inc({ lock: options.name }, 0);
    this.handedOn.inc({ lock: options.name }, 0);
  }

  get role(): LeaderRole {
    return this.current;
  }

  /**
   * False until the lock was first asked for: a standby before then only has not asked yet, and
   * saying "standby" would let a lone adapter look ready before its mirror started (changes the
   * monolith commits before a new slot exists are never streamed).
   */
  get decided(): boolean {
    return this.answered;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Steps down (if leading) and ends the session, which hands the lock to a standby. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const lost = await this.holdSession();
      await this.toStandby(lost);
      if (this.running) {
        this.logger.warn('mirror lock session lost; standing by', {
          lock: this.options.name,
          reason: lost,
        });
        await this.sleep(this.options.pollMs);
      }
    }
  }

  /** One session: asks for the lock, or checks it, every beat; resolves with why it ended. */
  private async holdSession(): Promise<string> {
    const { connectionString, pollMs, instance, name } = this.options;
    const session = new Client({
      connectionString,
      application_name: `order-platform-mirror-lock ${instance}`.slice(0, 63),
      keepAlive: true,
      connectionTimeoutMillis: Math.max(2_000, pollMs * 2),
      query_timeout: Math.max(2_000, pollMs * 2),
    });
    let lostReason: string | undefined;
    const lose = (reason: string): void => {
      if (lostReason !== undefined) return;
      lostReason = reason;
      this.wake?.();
      // At once: the lock went with the session, and a standby may be mirroring already.
      void this.toStandby(reason);
    };
    session.on('error', (error) => lose(String(error)));
    session.on('end', () => lose('the lock session ended'));
    try {
      await session.connect();
      await session.query(
        `SET tcp_keepalives_idle = ${KEEPALIVES.idle};
         SET tcp_keepalives_interval = ${KEEPALIVES.interval};
         SET tcp_keepalives_count = ${KEEPALIVES.count}`,
      );
      while (this.running && lostReason === undefined) {
        if (this.current === 'standby' && Date.now() < this.sittingOutUntil) {
          await session.query('SELECT 1');
        } else if (this.current === 'standby') {
          const { rows } = await session.query<{ won: boolean }>(
            'SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS won',
            [LOCK_CLASS, name],
          );
          if (rows[0]?.won && lostReason === undefined) await this.toLeader();
          // A lock won as the session went is no answer: the next session asks again.
          if (lostReason === undefined) this.answered = true;
        } else if (this.failingTooLong()) {
          const failingMs = Date.now() - (this.leadership.failingSince?.() ?? Date.now());
          const reason = `mirror failing for ${Math.round(failingMs / 1000)} s; handing the lock on`;
          // Stop mirroring before the lock goes, so two never mirror at once.
          await this.toStandby(reason);
          await session.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', [
            LOCK_CLASS,
            name,
          ]);
          this.sittingOutUntil = Date.now() + this.options.stepDownAfterMs;
          this.handedOn.inc({ lock: name });
        } else {
          // The session still stands, so the lock is still ours.
          await session.query('SELECT 1');
        }
        await this.sleep(pollMs);
      }
    } catch (error) {
      lose(String(error));
    } finally {
      lostReason ??= 'stopping';
      // Step down before the lock goes, so two never mirror at once on a clean stop.
      await this.toStandby(lostReason);
      await session.end().catch(() => undefined);
    }
    return lostReason;
  }

  private failingTooLong(): boolean {
    const since = this.leadership.failingSince?.();
    const limit = this.options.stepDownAfterMs;
    return limit > 0 && since !== undefined && Date.now() - since >= limit;
  }

  private toLeader(): Promise<void> {
    this.transition = this.transition.then(async () => {
      if (this.current === 'leader') return;
      this.current = 'leader';
      this.leaderGauge.set({ lock: this.options.name }, 1);
      this.elected.inc({ lock: this.options.name });
      this.logger.info('mirror leader: this adapter mirrors', {
        lock: this.options.name,
        instance: this.options.instance,
      });
      try {
        await this.leadership.lead();
      } catch (error) {
        this.logger.error('mirror did not start as leader', { error: String(error) });
      }
    });
    return this.transition;
  }

  private toStandby(reason: string): Promise<void> {
    this.transition = this.transition.then(async () => {
      if (this.current === 'standby') return;
      this.current = 'standby';
      this.leaderGauge.set({ lock: this.options.name }, 0);
      this.logger.warn('mirror standby: this adapter stopped mirroring', {
        lock: this.options.name,
        instance: this.options.instance,
        reason,
      });
      await this.leadership
        .stepDown(reason)
        .catch((error: unknown) =>
          this.logger.error('mirror did not stop cleanly', { error: String(error) }),
        );
    });
    return this.transition;
  }

  /** Waits `ms`, or less when woken (the session lost, or stopping). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
