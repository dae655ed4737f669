/**
 * The migration scenario's outside world while it runs: customers placing orders through the
 * facade at a steady rate, and the people who move parcels (the monolith's shipping desk for
 * the orders it ships, the warehouse floor and the carrier for the platform's parcels). Each
 * order is followed until it rests in a final state on the side that owns it, and read by its
 * customer through the gateway.
 */
import type { CustomerStatus } from '@order-platform/domain';
import { sleep } from './black-friday-client';
import type { MigrationClient, MonolithOrder } from './migration-client';

export const SHIPPING_ADDRESS = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'GB',
};

export interface PlacedOrder {
  orderId: string;
  customerId: string;
  placedOn: 'monolith' | 'platform';
  /** The migration step under way when it was placed. */
  phase: string;
  sku: string;
  quantity: number;
  /** The monolith's last word (monolith orders only). */
  monolith?: MonolithOrder;
  /** What its customer last read through the gateway. */
  read?: CustomerStatus;
  final: boolean;
}

const MONOLITH_FINAL = ['DELIVERED', 'REJECTED', 'CANCELLED'];
const CUSTOMER_FINAL: readonly string[] = ['DELIVERED', 'REJECTED', 'CANCELLED'];

export class Customers {
  readonly orders = new Map<string, PlacedOrder>();
  /** Placements the door did not acknowledge with a 201, with the phase and the answer. */
  readonly refusedPlacements: { phase: string; text: string }[] = [];
  private placed = 0;
  private running = false;
  private loop?: Promise<void>;
  /** The migration step under way, written on each order placed. */
  phase = '';

  constructor(
    private readonly client: MigrationClient,
    private readonly customerIds: string[],
    private readonly skus: string[],
  ) {}

  /** Places `ordersPerSecond` orders through the facade until `stop`. */
  start(ordersPerSecond: number): void {
    this.running = true;
    const intervalMs = 1000 / ordersPerSecond;
    const inFlight = new Set<Promise<void>>();
    this.loop = (async () => {
      while (this.running) {
        const placing = this.placeOne().finally(() => inFlight.delete(placing));
        inFlight.add(placing);
        await sleep(intervalMs);
      }
      await Promise.all(inFlight);
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async placeOne(): Promise<void> {
    const n = this.placed++;
    const customerId = this.customerIds[n % this.customerIds.length]!;
    const sku = this.skus[n % this.skus.length]!;
    const phase = this.phase;
    const reply = await this.client
      .facade('POST', '/orders', {
        customerId,
        items: [{ sku, quantity: 1 }],
        shippingAddress: SHIPPING_ADDRESS,
      })
      .catch((error: unknown) => ({ status: 0, headers: new Headers(), body: String(error) }));
    const orderId = (reply.body as { orderId?: string } | undefined)?.orderId;
    if (reply.status !== 201 || !orderId) {
      this.refusedPlacements.push({
        phase,
        text: `placement refused: ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`,
      });
      return;
    }
    const placedOn =
      reply.headers.get('x-order-placed-on') === 'platform' ? 'platform' : 'monolith';
    this.orders.set(orderId, {
      orderId,
      customerId,
      placedOn,
      phase,
      sku,
      quantity: 1,
      final: false,
    });
    // Every sixth customer changes their mind at once: a cancel racing the order's first
    // stages, on whichever side took it (refused once it is past the point of no return).
    if (n % 6 === 5) {
      if (placedOn === 'monolith') await this.client.facade('POST', `/orders/${orderId}/cancel`);
      else
        await this.client.gateway(
          'POST',
          `/v1/orders/${orderId}/cancel`,
          await this.client.customerToken(customerId),
        );
    }
  }
}

/**
 * The shipping desk, the warehouse floor and the carrier: every open order's parcel leaves and
 * arrives, by whoever ships it (the monolith for the orders it did not hand fulfilment over, the
 * fulfilment provider for the platform's). Runs until `stop`; `settle` then waits for the rest.
 */
export class Shipping {
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly client: MigrationClient,
    private readonly orders: Map<string, PlacedOrder>,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.round().catch(() => undefined); // a blip: next round
        await sleep(700);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Keeps moving parcels until every order rests, or `timeoutMs` ran out; the open ones. */
  async settle(timeoutMs: number): Promise<PlacedOrder[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.round().catch(() => undefined);
      const open = [...this.orders.values()].filter((order) => !order.final);
      if (open.length === 0 || Date.now() > deadline) return open;
      await sleep(700);
    }
  }

  private async round(): Promise<void> {
    for (const order of [...this.orders.values()].filter((o) => !o.final)) {
      await this.follow(order);
    }
  }

  private async follow(order: PlacedOrder): Promise<void> {
    let platformShips = order.placedOn === 'platform';
    if (order.placedOn === 'monolith') {
      const read = await this.client.monolith('GET', `/orders/${order.orderId}`);
      if (read.status !== 200) return;
      const monolith = read.body as MonolithOrder;
      order.monolith = monolith;
      platformShips = monolith.handedOver.includes('fulfilment');
      if (!platformShips && monolith.status === 'ACCEPTED')
        await this.client.monolith('POST', `/orders/${order.orderId}/ship`);
      if (!platformShips && monolith.status === 'SHIPPED')
        await this.client.monolith('POST', `/orders/${order.orderId}/deliver`);
    }
    if (platformShips) {
      const shipments = (await this.client.sim(
        'GET',
        `/fulfillment/shipments?orderId=${order.orderId}`,
      )) as { shipmentId: string; state: string }[];
      for (const { shipmentId, state } of shipments) {
        if (state === 'created')
          await this.client.simPost(`/fulfillment/shipments/${shipmentId}/dispatch`);
        if (state === 'dispatched')
          await this.client.simPost(`/fulfillment/shipments/${shipmentId}/deliver`);
      }
    }
    const read = await this.client.gateway(
      'GET',
      `/v1/orders/${order.orderId}`,
      await this.client.customerToken(order.customerId),
    );
    if (read.status === 200) order.read = (read.body as { status: CustomerStatus }).status;
    const ownerRests =
      order.placedOn === 'platform' || MONOLITH_FINAL.includes(order.monolith?.status ?? '');
    order.final = ownerRests && CUSTOMER_FINAL.includes(order.read ?? '');
  }
}
