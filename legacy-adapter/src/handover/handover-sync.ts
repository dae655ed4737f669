/**
 * The monolith's hand-over follows the platform's routes: every few seconds the legacy adapter
 * sets the sample monolith's `handover` settings (docs/strangler.md#handing-a-stage-over) to each
 * stage's share under `new` (its `newPercent`; 0 in `legacy` and `shadow`), so an operator moves
 * a stage with one routing change. The monolith draws the same sticky buckets as the platform,
 * and each order says what it handed over, so the seconds the monolith lags behind a change
 * leave no stage to both systems or to neither: those orders run as they were placed.
 */
import {
  defaultStageRoute,
  MIGRATION_STAGES,
  type MigrationStage,
  type StageRoute,
} from '@order-platform/domain';
import type { Logger } from '@order-platform/runtime';

export type HandoverShares = Record<MigrationStage, number>;

/** Each stage's share of orders the monolith hands over, from the platform's routes. */
export function handoverShares(routes: readonly StageRoute[]): HandoverShares {
  return Object.fromEntries(
    MIGRATION_STAGES.map((stage) => {
      const route =
        routes.find((candidate) => candidate.stage === stage) ?? defaultStageRoute(stage);
      return [stage, route.mode === 'new' ? route.newPercent : 0];
    }),
  ) as HandoverShares;
}

/** Where the shares go: the monolith's settings. */
export interface HandoverTarget {
  current(): Promise<Partial<HandoverShares>>;
  set(shares: HandoverShares): Promise<void>;
}

/** The sample monolith's API: `GET /settings` (its `handover`), `PUT /settings/handover`. */
export function monolithHandoverTarget(baseUrl: string, timeoutMs = 5_000): HandoverTarget {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  };
  return {
    current: async () => ((await call('GET', '/settings')).handover ?? {}) as HandoverShares,
    set: async (shares) => void (await call('PUT', '/settings/handover', shares)),
  };
}

export class HandoverSync {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      routes: () => Promise<StageRoute[]>;
      monolith: HandoverTarget;
      intervalMs: number;
      logger: Logger;
    },
  ) {}

  /** One round: sets the monolith's shares when they differ from the routes'; true if it did. */
  async syncOnce(): Promise<boolean> {
    const wanted = handoverShares(await this.deps.routes());
    const current = await this.deps.monolith.current();
    if (MIGRATION_STAGES.every((stage) => (current[stage] ?? 0) === wanted[stage])) return false;
    await this.deps.monolith.set(wanted);
    this.deps.logger.info('monolith hand-over set from the routes', { handover: wanted });
    return true;
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.syncOnce()
        .catch((error: unknown) =>
          // The monolith or the database is down: the orders it places say what they handed
          // over, so nothing is lost; tried again next round.
          this.deps.logger.warn('monolith hand-over not synced; retrying', {
            error: String(error),
          }),
        )
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.deps.intervalMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
