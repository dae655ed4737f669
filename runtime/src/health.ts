/**
 * Liveness and readiness. Live means the process answers; ready means every dependency it needs
 * answered just now. Each check has a deadline so a hung dependency reads as not ready instead
 * of hanging the probe.
 */
import type { Registry } from 'prom-client';
import { createServer, type Server } from 'node:http';

export interface HealthCheck {
  name: string;
  check: () => Promise<void>;
}

export interface Readiness {
  status: 'ok' | 'unavailable';
  checks: Record<string, { status: 'up' | 'down'; error?: string }>;
}

export async function checkReadiness(checks: HealthCheck[], timeoutMs = 2_000): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([check(), deadline]);
        return [name, { status: 'up' as const }] as const;
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
  return {
    status: results.every(([, r]) => r.status === 'up') ? 'ok' : 'unavailable',
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
        reply(readiness.status === 'ok' ? 200 : 503, readiness),
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
