/**
 * What every benchmark gets: the run's stack, its apps started once and shared (the simulators
 * and the worker, a gateway, the sample monolith), a Temporal client, customer tokens, the run's
 * scale, and the platform's sustainable order rate once a benchmark has measured it (the memory
 * benchmark offers ten times that).
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { CUSTOMER_SEGMENTS, type PlacedOrder } from '@order-platform/domain';
import { orderLifecycle, orderStartOptions } from '@order-platform/workflows';
import { simulatorCall } from '@order-platform/tools';
import {
  mintToken,
  platformDataConverter,
  stackTokenKeys,
  temporalConnectionOptions,
} from '@order-platform/runtime';
import { type BenchStack, type RunningApp } from './support/bench-stack';

/** The one SKU every benchmark order buys: stocked once, far beyond what a run can sell. */
export const BENCH_SKU = 'SKU-BENCH';
/** The bench sku's catalogue price. */
const BENCH_PRICE_MINOR = 2500;
const BENCH_STOCK = 100_000_000;

/** The gateway's JWT claims (apps/gateway/src/auth/tokens.ts defaults). */

/** Settings for the benchmarks' gateway: per-customer rate limits far away, so admission decides. */
export const GATEWAY_BENCH_ENV = {
  RATE_LIMIT_ORDERS_PER_MINUTE: '1000000',
  RATE_LIMIT_ORDERS_BURST: '1000000',
  ADMISSION_SAMPLE_MS: '200',
};

export interface ResultRow {
  metric: string;
  unit: string;
  platform: number;
  baseline?: number;
  /** platform ÷ baseline. */
  ratio?: number;
}

export interface BenchResult {
  rows: ResultRow[];
  details: Record<string, unknown>;
  /** The machine's load averages (1, 5, 15 min) as the benchmark began and ended; set by main. */
  loadAverage?: { before: number[]; after: number[] };
}

export class BenchContext {
  /** Orders per second the platform sustained to CONFIRMED, once measured. */
  sustainableOrdersPerSecond?: number;
  private connection?: Connection;
  private client?: Client;

  constructor(
    readonly stack: BenchStack,
    /** Multiplies every count and duration: BENCH_SCALE, 1 = about ten minutes for all. */
    readonly scale: number,
  ) {}

  /** n × scale, at least `min`. */
  scaled(n: number, min = 1): number {
    return Math.max(min, Math.round(n * this.scale));
  }

  async temporal(): Promise<Client> {
    if (!this.client) {
      this.connection = await Connection.connect(
        temporalConnectionOptions(this.stack.env.TEMPORAL_ADDRESS),
      );
      this.client = new Client({
        connection: this.connection,
        namespace: this.stack.env.TEMPORAL_NAMESPACE,
        dataConverter: platformDataConverter({
          PAYLOAD_CODEC_KEYS: this.stack.env.PAYLOAD_CODEC_KEYS,
        }),
      });
    }
    return this.client;
  }

  /** The simulators (default dials: instant) and the worker on the task queue `orders`. */
  async downstream(): Promise<{ simulators: RunningApp; worker: RunningApp }> {
    // First, so the worker knows where to tell the monolith the decisions the platform owns.
    await this.monolith();
    let simulators = this.stack.running('simulators');
    if (!simulators) {
      simulators = await this.stack.start('simulators', 'simulators');
      await simulatorCall(simulators.url, 'PUT', `/warehouse/stock/${BENCH_SKU}`, {
        onHand: BENCH_STOCK,
      });
      await simulatorCall(simulators.url, 'PUT', `/catalogue/products/${BENCH_SKU}`, {
        priceMinor: BENCH_PRICE_MINOR,
        currency: 'EUR',
      });
    }
    const worker =
      this.stack.running('worker') ??
      (await this.stack.start('worker', 'worker', this.downstreamEnv(simulators.url)));
    return { simulators, worker };
  }

  async gateway(): Promise<RunningApp> {
    const { simulators } = await this.downstream();
    return (
      this.stack.running('gateway') ??
      (await this.stack.start('gateway', 'gateway', {
        ...GATEWAY_BENCH_ENV,
        CATALOGUE_URL: simulators.url,
      }))
    );
  }

  async monolith(): Promise<RunningApp> {
    const running = this.stack.running('legacy-monolith');
    if (running) return running;
    const monolith = await this.stack.start('legacy-monolith', 'legacy-monolith');
    const response = await fetch(`${monolith.url}/stock/${BENCH_SKU}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ onHand: BENCH_STOCK }),
    });
    if (!response.ok) throw new Error(`stocking the monolith: ${response.status}`);
    const priced = await fetch(`${monolith.url}/products/${BENCH_SKU}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ priceCents: BENCH_PRICE_MINOR, currency: 'EUR' }),
    });
    if (!priced.ok) throw new Error(`pricing in the monolith: ${priced.status}`);
    return monolith;
  }

  downstreamEnv(simulatorsUrl: string): NodeJS.ProcessEnv {
    return {
      FRAUD_URL: simulatorsUrl,
      WAREHOUSE_URL: simulatorsUrl,
      PAYMENTS_URL: simulatorsUrl,
      FULFILLMENT_URL: simulatorsUrl,
      NOTIFIER_URL: simulatorsUrl,
      MONOLITH_URL: this.stack.running('legacy-monolith')!.url,
      // The benchmarks await delivered orders' results: a run ends 1 ms after its delivery
      // instead of staying open for the 30-day return window.
      STAGE_POLICY_OVERRIDES: JSON.stringify(
        Object.fromEntries(CUSTOMER_SEGMENTS.map((segment) => [segment, { returnWindowMs: 1 }])),
      ),
    };
  }

  /** A standard customer's token (a token without a segment would get the most careful policy). */
  customerToken(customerId: string): Promise<string> {
    return mintToken(
      { subject: customerId, roles: ['customer'], segment: 'standard', ttlSeconds: 2 * 3600 },
      stackTokenKeys(process.env, this.stack.env.GATEWAY_JWT_SECRET),
    );
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }
}

/** An order as the gateway would build it: one line of the bench SKU. */
export function benchOrder(customerId = `c-${randomUUID().slice(0, 8)}`): PlacedOrder {
  return {
    orderId: `bench-${randomUUID()}`,
    customerId,
    segment: 'standard',
    items: [{ sku: BENCH_SKU, quantity: 1, unitPriceMinor: BENCH_PRICE_MINOR }],
    currency: 'EUR',
    expedited: false,
    placedAt: new Date().toISOString(),
  };
}

/** Starts an order workflow exactly as the gateway's submission does (orders.service.ts). */
export async function startOrder(client: Client, taskQueue: string, order: PlacedOrder) {
  return client.workflow.start(orderLifecycle, orderStartOptions(order, taskQueue));
}

/** The gateway's JSON body for a new order of the bench SKU. */
export const gatewayOrderBody = JSON.stringify({
  items: [{ sku: BENCH_SKU, quantity: 1 }],
  shippingAddress: {
    name: 'Ada Lovelace',
    line1: '12 St James Square',
    city: 'London',
    postalCode: 'SW1Y 4JH',
    country: 'GB',
  },
});
