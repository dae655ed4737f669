/**
 * The worker's /metrics (on WORKER_PORT, beside its probes): the Temporal SDK's own metrics
 * (`temporal_*`: workflow and activity task latencies, task slots, sticky cache, polls, requests
 * to the server) and the platform's (`order_platform_worker_*`: the fraud circuit, each readiness
 * check, the process's memory and event loop) in one scrape.
 *
 * The SDK's metrics come from its Rust core, which serves them only from a Prometheus listener of
 * its own: that listener is bound to a free loopback port, never exposed, and each scrape of the
 * worker reads it and appends the platform's registry. A scrape while the core's listener does
 * not answer still serves the platform's metrics.
 */
import { createServer } from 'node:net';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { CircuitState } from '@order-platform/activities';
import type { MetricsSource } from '@order-platform/runtime';

/** A port on the loopback interface nothing listens on just now, for the SDK's listener. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** The Runtime's telemetry option that makes the SDK export its metrics on `port` (loopback). */
export const sdkPrometheus = (port: number) => ({
  prometheus: { bindAddress: `127.0.0.1:${port}`, useSecondsForDurations: true },
});

export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly circuit = new Gauge({
    name: 'order_platform_worker_circuit_open',
    help: "This worker's circuit breakers: 1 while open, 0.5 half-open, 0 closed",
    labelNames: ['circuit'] as const,
    registers: [this.registry],
  });

  constructor(private readonly sdkMetricsPort: number) {
    collectDefaultMetrics({ register: this.registry, prefix: 'order_platform_worker_' });
  }

  circuitChanged(circuit: string, state: CircuitState): void {
    this.circuit.set({ circuit }, state === 'open' ? 1 : state === 'half-open' ? 0.5 : 0);
  }

  /** The SDK's metrics followed by the platform's, as one Prometheus text. */
  readonly scrape: MetricsSource = async () => {
    const sdk = await fetch(`http://127.0.0.1:${this.sdkMetricsPort}/metrics`, {
      signal: AbortSignal.timeout(2_000),
    })
      .then((response) => (response.ok ? response.text() : ''))
      .catch(() => '');
    const platform = await this.registry.metrics();
    const text = sdk.trim() === '' ? platform : `${sdk.trimEnd()}\n${platform}`;
    return { contentType: this.registry.contentType, text };
  };
}
