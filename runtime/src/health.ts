/**
 * Liveness and readiness. Live means the process answers; ready means every dependency it needs
 * answered just now. Each check has a deadline so a hung dependency reads as not ready instead
 * of hanging the probe. A check may also answer `{ degraded: why }`: the process works but is
 * behind or at risk (a lagging replication slot); readiness then says `degraded`, still with 200,
 * so nothing is taken out of service for it, while the probe and the logs name the problem.
 * A check may add a `detail` (an adapter's mirror says whether it leads or stands by), shown
 * beside its status.
 */
import type { Registry } from 'prom-client';
import { createServer, type Server } from 'node:http';

export interface HealthCheck {
  name: string;
  check: () => Promise<void | { degraded?: string; detail?: string }>;
}

export interface Readiness {
  status: 'ok' | 'degraded' | 'unavailable';
  checks: Record<string, { status: 'up' | 'degraded' | 'down'; error?: string; detail?: string }>;
}

export async function checkReadiness(checks: HealthCheck[], timeoutMs = 2_000): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
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
        return [
          name,
          {
            status: 'down' as const,
            error: error instanceof Error ? error.message : String(error),
          },
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

/**
 * A bare HTTP listener with /health/live and /health/ready, for processes without an API, and
 * /metrics (Prometheus) when given a registry.
 */
export function startHealthServer(
  port: number,
  checks: HealthCheck[],
  metrics?: Registry,
): Promise<Server> {
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
      void checkReadiness(checks).then((readiness) =>
        reply(readiness.status === 'unavailable' ? 503 : 200, readiness),
      );
      return;
    }
    if (request.url === '/metrics' && metrics) {
      void metrics.metrics().then((text) => {
        response.writeHead(200, {
          'content-type': metrics.contentType,
          'cache-control': 'no-store',
        });
        response.end(text);
      });
      return;
    }
    reply(404, { status: 'not found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve(server));
  });
}
