/**
 * Intake's route as the facade uses it: read from the routes store, kept for a short while, and
 * fail-safe when the store cannot be read. The choice, documented in docs/strangler.md:
 *
 * - the store answers: its route, used for `cacheMs`;
 * - it does not, and a route was read before: that last known route, however old. It is the
 *   operator's latest decision; falling back to "all to the monolith" on a database blip would
 *   move customers mid-ramp from one door to the other and back;
 * - it does not, and nothing was ever read (the facade started during the outage): the
 *   monolith for everyone, the door every order took before the strangler.
 *
 * One read at a time: callers arriving while a read is under way wait for it, and a failed read
 * is tried again only after `cacheMs`, so an outage costs one slow read per period, not one per
 * order.
 */
import { defaultIntakeRoute, type RouteSetting } from '@order-platform/domain';
import type { Logger } from '@order-platform/runtime';

export type RouteSource = 'store' | 'cached' | 'last-known' | 'default';

export interface IntakeRouteReading {
  route: RouteSetting;
  source: RouteSource;
}

export class IntakeRouteCache {
  private known?: { route: RouteSetting; readAt: number; source: RouteSource };
  /** The last successful read; what an outage falls back to. */
  private lastRead?: RouteSetting;
  private reading?: Promise<IntakeRouteReading>;

  constructor(
    /** Undefined: no route stored yet (the default applies); throws when the store is away. */
    private readonly read: () => Promise<RouteSetting | undefined>,
    private readonly cacheMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  current(): Promise<IntakeRouteReading> {
    if (this.known && this.now() - this.known.readAt < this.cacheMs) {
      const { route, source } = this.known;
      return Promise.resolve({ route, source: source === 'store' ? 'cached' : source });
    }
    this.reading ??= this.refresh().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async refresh(): Promise<IntakeRouteReading> {
    try {
      const route = (await this.read()) ?? defaultIntakeRoute;
      if (this.lastRead?.mode !== route.mode || this.lastRead.newPercent !== route.newPercent) {
        this.logger.info('intake route', { mode: route.mode, newPercent: route.newPercent });
      }
      this.lastRead = route;
      return this.remember(route, 'store');
    } catch (error) {
      const fallback = this.lastRead
        ? { route: this.lastRead, source: 'last-known' as const }
        : { route: defaultIntakeRoute, source: 'default' as const };
      this.logger.warn('intake route unreadable; falling back', {
        error: String(error),
        ...fallback,
      });
      return this.remember(fallback.route, fallback.source);
    }
  }

  private remember(route: RouteSetting, source: RouteSource): IntakeRouteReading {
    this.known = { route, readAt: this.now(), source };
    return { route, source };
  }
}
