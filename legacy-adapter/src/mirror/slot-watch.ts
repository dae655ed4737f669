/**
 * Watches the CDC mirror's replication slot on the monolith's database. A slot keeps every WAL
 * segment from its restart position on: a mirror that stops confirming (wedged, down, too slow)
 * fills the monolith's disk. Read every `checkMs` from `pg_replication_slots`, exported as
 * `order_platform_mirror_slot_*` metrics (lag and WAL retained in bytes, age of the oldest
 * unconfirmed change, the confirmed position, whether a mirror is attached), and judged against
 * the configured thresholds: over either, the adapter logs an error on every check and its
 * readiness reports the mirror degraded (still 200: the adapter works, it is behind).
 * The thresholds are exported too (`*_warn_*`), so the Prometheus alert rules compare with the
 * adapter's own configuration: tools/compose/prometheus-alerts.yml; runbook: docs/operations.md.
 */
import type { Pool } from 'pg';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '@order-platform/runtime';

export interface SlotWatchOptions {
  slot: string;
  checkMs: number;
  /** Unconfirmed WAL (bytes) past which the slot is lagging. */
  lagWarnBytes: number;
  /** Seconds a change may wait unconfirmed before the slot is lagging. */
  ageWarnSeconds: number;
}

export interface SlotReading {
  exists: boolean;
  active: boolean;
  lagBytes: number;
  retainedBytes: number;
  ageSeconds: number;
  confirmedLsn: string | null;
  /** WAL the server may still write before the slot is invalidated (max_slot_wal_keep_size). */
  safeWalBytes: number | null;
  walStatus: string | null;
}

export interface SlotJudgement {
  /** Undefined when within thresholds; otherwise what is wrong, for logs and health. */
  problem?: string;
}

/** Pure: what a reading means against the thresholds. */
export function judgeSlot(reading: SlotReading, options: SlotWatchOptions): SlotJudgement {
  if (!reading.exists) return { problem: `replication slot ${options.slot} does not exist` };
  if (reading.walStatus === 'lost') {
    return {
      problem: `replication slot ${options.slot} lost its WAL: the mirror must be re-seeded`,
    };
  }
  const problems: string[] = [];
  if (reading.lagBytes > options.lagWarnBytes) {
    problems.push(`${reading.lagBytes} bytes unconfirmed (threshold ${options.lagWarnBytes})`);
  }
  if (reading.ageSeconds > options.ageWarnSeconds) {
    problems.push(
      `oldest unconfirmed change ${Math.round(reading.ageSeconds)} s old (threshold ${options.ageWarnSeconds} s)`,
    );
  }
  return problems.length === 0
    ? {}
    : { problem: `replication slot ${options.slot} lagging: ${problems.join(', ')}` };
}

export class SlotWatch {
  private timer?: NodeJS.Timeout;
  private last?: SlotReading;
  private judgement: SlotJudgement = {};
  /** When the confirmed position last moved, or the slot was last caught up. */
  private confirmedSince = Date.now();
  private lastConfirmed: string | null = null;
  private readonly gauges: Record<
    'lag' | 'retained' | 'age' | 'confirmed' | 'active' | 'safe',
    Gauge<'slot'>
  >;

  private readonly thresholds: Record<'lag' | 'age', Gauge<'slot'>>;

  constructor(
    private readonly pool: Pool,
    private readonly options: SlotWatchOptions,
    registry: Registry,
    private readonly logger: Logger,
  ) {
    const gauge = (name: string, help: string) =>
      new Gauge({ name, help, labelNames: ['slot'] as const, registers: [registry] });
    this.thresholds = {
      lag: gauge(
        'order_platform_mirror_slot_lag_warn_bytes',
        'MIRROR_SLOT_LAG_WARN_BYTES: the lag past which the adapter warns and reports degraded',
      ),
      age: gauge(
        'order_platform_mirror_slot_age_warn_seconds',
        'MIRROR_SLOT_AGE_WARN_SECONDS: the age past which the adapter warns and reports degraded',
      ),
    };
    this.gauges = {
      lag: gauge(
        'order_platform_mirror_slot_lag_bytes',
        'WAL written since the position the mirror last confirmed (current WAL minus confirmed_flush_lsn)',
      ),
      retained: gauge(
        'order_platform_mirror_slot_retained_wal_bytes',
        'WAL the slot keeps on the monolith database disk (current WAL minus restart_lsn)',
      ),
      age: gauge(
        'order_platform_mirror_slot_age_seconds',
        'How long the confirmed position has not moved while WAL waits behind it; 0 when caught up',
      ),
      confirmed: gauge(
        'order_platform_mirror_slot_confirmed_lsn_bytes',
        'The position the mirror confirmed (confirmed_flush_lsn as a byte offset)',
      ),
      active: gauge(
        'order_platform_mirror_slot_active',
        '1 when a mirror is attached to the slot, 0 when not, absent when the slot does not exist',
      ),
      safe: gauge(
        'order_platform_mirror_slot_safe_wal_bytes',
        'WAL that may still be written before the slot is invalidated (only with max_slot_wal_keep_size)',
      ),
    };
  }

  start(): void {
    if (this.timer) return;
    const labels = { slot: this.options.slot };
    this.thresholds.lag.set(labels, this.options.lagWarnBytes);
    this.thresholds.age.set(labels, this.options.ageWarnSeconds);
    const tick = () => {
      void this.check().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.options.checkMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Undefined when the slot is within its thresholds (or not read yet). */
  get problem(): string | undefined {
    return this.judgement.problem;
  }

  get reading(): SlotReading | undefined {
    return this.last;
  }

  /** Reads the slot once, updates the metrics and says loudly when it is behind. */
  async check(): Promise<SlotReading | undefined> {
    let reading: SlotReading;
    try {
      reading = await this.read();
    } catch (error) {
      // The monolith's database is away: its own health check says so; keep the last reading.
      this.logger.warn('replication slot not read', {
        slot: this.options.slot,
        error: String(error),
      });
      return undefined;
    }
    this.last = reading;
    const labels = { slot: this.options.slot };
    if (reading.exists) {
      this.gauges.lag.set(labels, reading.lagBytes);
      this.gauges.retained.set(labels, reading.retainedBytes);
      this.gauges.age.set(labels, reading.ageSeconds);
      this.gauges.active.set(labels, reading.active ? 1 : 0);
      if (reading.confirmedLsn) this.gauges.confirmed.set(labels, lsnBytes(reading.confirmedLsn));
      if (reading.safeWalBytes !== null) this.gauges.safe.set(labels, reading.safeWalBytes);
    } else {
      for (const gauge of Object.values(this.gauges)) gauge.remove(labels);
    }
    const before = this.judgement.problem;
    this.judgement = judgeSlot(reading, this.options);
    if (this.judgement.problem) {
      this.logger.error(this.judgement.problem, {
        slot: this.options.slot,
        lagBytes: reading.lagBytes,
        retainedWalBytes: reading.retainedBytes,
        ageSeconds: Math.round(reading.ageSeconds),
        active: reading.active,
        confirmedLsn: reading.confirmedLsn,
        runbook: 'docs/operations.md#the-replication-slot',
      });
    } else if (before) {
      this.logger.info('replication slot caught up', { slot: this.options.slot });
    }
    return reading;
  }

  private async read(): Promise<SlotReading> {
    const { rows } = await this.pool.query<{
      active: boolean;
      confirmed: string | null;
      lag: string | null;
      retained: string | null;
      safe: string | null;
      wal_status: string | null;
    }>(
      `SELECT active, confirmed_flush_lsn::text AS confirmed,
              pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint::text AS lag,
              pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text AS retained,
              safe_wal_size::text AS safe, wal_status
         FROM pg_replication_slots WHERE slot_name = $1`,
      [this.options.slot],
    );
    const row = rows[0];
    if (!row) {
      return {
        exists: false,
        active: false,
        lagBytes: 0,
        retainedBytes: 0,
        ageSeconds: 0,
        confirmedLsn: null,
        safeWalBytes: null,
        walStatus: null,
      };
    }
    const lagBytes = Math.max(0, Number(row.lag ?? 0));
    const now = Date.now();
    // PostgreSQL keeps no time for a slot's position: the age is how long this watch has seen
    // the confirmed position stand still while WAL waited behind it.
    if (row.confirmed !== this.lastConfirmed || lagBytes === 0) this.confirmedSince = now;
    this.lastConfirmed = row.confirmed;
    return {
      exists: true,
      active: row.active,
      lagBytes,
      retainedBytes: Math.max(0, Number(row.retained ?? 0)),
      ageSeconds: (now - this.confirmedSince) / 1000,
      confirmedLsn: row.confirmed,
      safeWalBytes: row.safe === null ? null : Number(row.safe),
      walStatus: row.wal_status,
    };
  }
}

/** An LSN (`16/B374D848`) as a byte offset in the WAL. */
export function lsnBytes(lsn: string): number {
  const [high, low] = lsn.split('/');
  return parseInt(high ?? '0', 16) * 2 ** 32 + parseInt(low ?? '0', 16);
}

/** The textual LSN (`16/B374D848`) of a byte position. */
export function lsnFromBytes(bytes: number): string {
  const high = Math.floor(bytes / 2 ** 32);
  const low = bytes - high * 2 ** 32;
  return `${high.toString(16).toUpperCase()}/${low.toString(16).toUpperCase()}`;
}
