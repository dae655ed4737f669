/**
 * Liveness and readiness. Live means the process answers; ready means every dependency it needs
 * answered just now. Each check has a deadline so a hung dependency reads as not ready instead
 * of hanging the probe. A check may also answer `{ degraded: why }`: the process works but is
 * behind or at risk (a lagging replication slot); readiness then says `degraded`, still with 200,
 * so nothing is taken out of service for it, while the probe and the logs name the problem.
 * A check may add a `detail` (an adapter's mirror says whether it leads or stands by), shown
 * beside its status.
 *
 * A dependency the process can work without (the gateway serves reads while Temporal is down)
 * names what is lost instead (`withoutIt`): its failure degrades readiness rather than failing it.
 *
 * The answers are public (probes and /metrics are not authenticated): a failure reads as `not
 * answering` or the deadline, never the exception's text (hostnames, addresses, SQL), unless the
 * check threw a `HealthProblem`, whose message is written for the public. What really failed is
 * logged when a check's status changes (`ReadinessProbe`).
 */
import { Gauge, type Registry } from 'prom-client';
import { createServer, type Server } from 'node:http';
import type { Logger } from './logger';
import { refreshedAtMost } from './refreshed';

export interface HealthCheck {
  name: string;
  check: () => Promise<void | { degraded?: string; detail?: string }>;
  /**
   * What the process cannot do while this dependency is down, when it can do the rest: its
   * failure then degrades readiness (200) with this as the detail, instead of failing it (503).
   */
  withoutIt?: string;
}

export type CheckStatus = 'up' | 'degraded' | 'down';

export interface Readiness {
  status: 'ok' | 'degraded' | 'unavailable';
  checks: Record<string, { status: CheckStatus; error?: string; detail?: string }>;
}

/** A failure whose message is fit for the public health answer (no hosts, addresses or SQL). */
export class HealthProblem extends Error {}

/** The public text of a failure: the deadline, a `HealthProblem`'s message, or nothing more. */
export const NOT_ANSWERING = 'not answering';

class Deadline extends HealthProblem {}

/** What went wrong in a check, kept for the log, not for the answer. */
export type CheckFailure = (name: string, status: CheckStatus, cause: unknown) => void;

export async function checkReadiness(
  checks: HealthCheck[],
  timeoutMs = 2_000,
  onFailure?: CheckFailure,
): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async ({ name, check, withoutIt }) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Deadline(`no answer in ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const answer = await Promise.race([check(), deadline]);
        const detail = answer?.detail === undefined ? {} : { detail: answer.detail };
        if (answer?.degraded !== undefined) {
          return [
            name,
            { status: 'degraded' as const, error: answer.degraded, ...detail },
          ] as const;
        }
        return [name, { status: 'up' as const, ...detail }] as const;
      } catch (error) {
        const status = withoutIt === undefined ? ('down' as const) : ('degraded' as const);
        onFailure?.(name, status, error);
        const publicError = error instanceof HealthProblem ? error.message : NOT_ANSWERING;
        return [
          name,
          { status, error: publicError, ...(withoutIt === undefined ? {} : { detail: withoutIt }) },
        ] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const statuses = results.map(([, r]) => r.status);
  return {
    status: statuses.includes('down')
      ? 'unavailable'
      : statuses.includes('degraded')
        ? 'degraded'
        : 'ok',
    checks: Object.fromEntries(results),
  };
}

export interface ReadinessProbeOptions {
  /** Each check's deadline. */
  timeoutMs?: number;
  /**
   * Answers younger than this are reused: a burst of probes and scrapes runs the checks once,
   * and concurrent callers share the round under way.
   */
  maxAgeMs?: number;
  /** Logs each check's change of status with what really failed. */
  logger?: Logger;
  /** Registers `order_platform_health_check{check,status}` (1 for the current status). */
  registry?: Registry;
}

/**
 * Readiness for a process: the checks run at most once per `maxAgeMs` however many probes and
 * scrapes ask, failures are logged with their cause when a status changes, and the outcome is a
 * metric, so a degradation shows on dashboards and alerts, not only in the probe's body.
 */
export class ReadinessProbe {
  private readonly statuses = new Map<string, CheckStatus>();
  private readonly current: () => Promise<Readiness>;

  constructor(
    private readonly checks: HealthCheck[],
    private readonly options: ReadinessProbeOptions = {},
  ) {
    const timeoutMs = options.timeoutMs ?? 2_000;
    this.current = refreshedAtMost(options.maxAgeMs ?? 1_000, async () => {
      const failures = new Map<string, unknown>();
      const answer = await checkReadiness(this.checks, timeoutMs, (name, _status, cause) =>
        failures.set(name, cause),
      );
      this.logChanges(answer, failures);
      return answer;
    });
    if (options.registry) this.registerMetrics(options.registry);
  }

  readiness(): Promise<Readiness> {
    return this.current();
  }

  /** `order_platform_health_check{check,status}`: 1 for each check's current status. */
  registerMetrics(registry: Registry): void {
    const current = (): Promise<Readiness> => this.readiness();
    new Gauge({
      name: 'order_platform_health_check',
      help: "Each readiness check's status: 1 for the current one of up, degraded and down",
      labelNames: ['check', 'status'] as const,
      registers: [registry],
      async collect() {
        for (const [check, { status }] of Object.entries((await current()).checks)) {
          for (const candidate of ['up', 'degraded', 'down'] as const)
            this.set({ check, status: candidate }, candidate === status ? 1 : 0);
        }
      },
    });
  }

  private logChanges(readiness: Readiness, failures: Map<string, unknown>): void {
    for (const [name, { status, error }] of Object.entries(readiness.checks)) {
      const before = this.statuses.get(name) ?? 'up';
      this.statuses.set(name, status);
      if (status === before) continue;
      const cause = failures.get(name);
      const fields = {
        check: name,
        status,
        was: before,
        ...(cause === undefined
          ? error === undefined
            ? {}
            : { reason: error }
          : { error: cause instanceof Error ? cause : String(cause) }),
      };
      if (status === 'up') this.options.logger?.info('readiness check recovered', fields);
      else this.options.logger?.warn('readiness check failing', fields);
    }
  }
}

/** What /metrics serves: the text and its content type. */
export type MetricsSource = () => Promise<{ contentType: string; text: string }>;

/** A prom-client registry as a metrics source. */
export const registryMetrics =
  (registry: Registry): MetricsSource =>
  async () => ({ contentType: registry.contentType, text: await registry.metrics() });

/**
 * A bare HTTP listener with /health/live and /health/ready, for processes without an API, and
 * /metrics (Prometheus) when given a source.
 */
export function startHealthServer(
  port: number,
  probe: ReadinessProbe | HealthCheck[],
  metrics?: Registry | MetricsSource,
): Promise<Server> {
  const readiness = Array.isArray(probe) ? new ReadinessProbe(probe) : probe;
  const scrape =
    metrics === undefined || typeof metrics === 'function' ? metrics : registryMetrics(metrics);
  const server = createServer((request, response) => {
    const reply = (status: number, body: unknown): void => {
      response.writeHead(status, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
      });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET') return reply(405, { status: 'method not allowed' });
    if (request.url === '/health/live') return reply(200, { status: 'ok' });
    if (request.url === '/health/ready') {
      void readiness
        .readiness()
        .then((answer) => reply(answer.status === 'unavailable' ? 503 : 200, answer));
      return;
    }
    if (request.url === '/metrics' && scrape) {
      scrape().then(
        ({ contentType, text }) => {
          response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
          response.end(text);
        },
        () => reply(500, { status: 'metrics unavailable' }),
      );
      return;
    }
    reply(404, { status: 'not found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve(server));
  });
}
