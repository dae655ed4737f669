/**
 * The warehouse over HTTP (InventoryPort) against its simulator, started as a process from its
 * entry point: what the saga relies on, said in business terms.
 */
import { outcomeOf, sleep, unique, useSimulators } from '../testing/simulators';
import { InventoryHttpAdapter } from './inventory.http-adapter';
import type { InventoryPort } from './inventory.port';

describe('the inventory HTTP adapter against its simulator', () => {
  const simulators = useSimulators();
  const { get, put } = simulators;
  let inventory: InventoryPort;

  beforeAll(() => {
    inventory = new InventoryHttpAdapter(simulators.url);
  });

  interface Stock {
    onHand: number;
    reserved: number;
    allocated: number;
    available: number;
  }
  const stockOf = (sku: string) => get<Stock>(`/warehouse/stock/${sku}`);

  it('conserves stock through reserve, allocate and release', async () => {
    const sku = unique('sku');
    const orderId = unique('order');
    await put(`/warehouse/stock/${sku}`, { onHand: 10 });
    const { reservationId, expiresAt } = await inventory.reserve({
      idempotencyKey: `${orderId}/reserve`,
      orderId,
      lines: [{ sku, quantity: 3 }],
      ttlMs: 60_000,
    });
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    expect(await stockOf(sku)).toEqual({
      sku,
      onHand: 10,
      reserved: 3,
      allocated: 0,
      available: 7,
    });

    await inventory.allocate({ idempotencyKey: `${orderId}/allocate`, reservationId });
    expect(await stockOf(sku)).toEqual({
      sku,
      onHand: 10,
      reserved: 0,
      allocated: 3,
      available: 7,
    });

    // An allocation is released too (the order was cancelled before shipping): stock returns.
    await inventory.release({ idempotencyKey: `${orderId}/release`, reservationId });
    expect(await stockOf(sku)).toEqual({
      sku,
      onHand: 10,
      reserved: 0,
      allocated: 0,
      available: 10,
    });
    // Releasing again (another step, another key) is harmless.
    await inventory.release({ idempotencyKey: `${orderId}/release-again`, reservationId });
    expect((await stockOf(sku)).available).toBe(10);
  });

  it('lets a lapsed reservation go: it cannot be allocated and its stock is available again', async () => {
    const sku = unique('sku');
    const orderId = unique('order');
    await put(`/warehouse/stock/${sku}`, { onHand: 5 });
    const { reservationId } = await inventory.reserve({
      idempotencyKey: `${orderId}/reserve`,
      orderId,
      lines: [{ sku, quantity: 5 }],
      ttlMs: 200,
    });
    expect((await stockOf(sku)).available).toBe(0);
    await sleep(400);
    expect(await stockOf(sku)).toMatchObject({ reserved: 0, available: 5 });
    expect(
      await outcomeOf(inventory.allocate({ idempotencyKey: `${orderId}/allocate`, reservationId })),
    ).toBe('ReservationExpired');
    const reservations = await get<{ state: string }[]>(
      `/warehouse/reservations?orderId=${orderId}`,
    );
    expect(reservations.map((r) => r.state)).toEqual(['expired']);
    // The saga's compensation still runs to completion: releasing a lapsed hold succeeds.
    await inventory.release({ idempotencyKey: `${orderId}/release`, reservationId });
    await inventory.release({
      idempotencyKey: `${orderId}/release`,
      reservationId: 'res_unknown',
    });
  });

  it('says OutOfStock when any line is short, and reserves nothing at all', async () => {
    const [plenty, scarce] = [unique('sku'), unique('sku')];
    const orderId = unique('order');
    await put(`/warehouse/stock/${plenty}`, { onHand: 5 });
    await put(`/warehouse/stock/${scarce}`, { onHand: 1 });
    const reserving = inventory.reserve({
      idempotencyKey: `${orderId}/reserve`,
      orderId,
      lines: [
        { sku: plenty, quantity: 3 },
        { sku: scarce, quantity: 2 },
      ],
      ttlMs: 60_000,
    });
    expect(await outcomeOf(reserving)).toBe('OutOfStock');
    expect((await stockOf(plenty)).available).toBe(5);
    expect((await stockOf(scarce)).available).toBe(1);
    expect(await get(`/warehouse/reservations?orderId=${orderId}`)).toEqual([]);
    // An unknown sku has nothing on hand.
    expect(
      await outcomeOf(
        inventory.reserve({
          idempotencyKey: `${orderId}/reserve-unknown`,
          orderId,
          lines: [{ sku: unique('never-stocked'), quantity: 1 }],
          ttlMs: 60_000,
        }),
      ),
    ).toBe('OutOfStock');
  });

  it('reserves once when the same step is retried with its idempotency key', async () => {
    const sku = unique('sku');
    const orderId = unique('order');
    await put(`/warehouse/stock/${sku}`, { onHand: 10 });
    const request = {
      idempotencyKey: `${orderId}/reserve`,
      orderId,
      lines: [{ sku, quantity: 4 }],
      ttlMs: 60_000,
    };
    const first = await inventory.reserve(request);
    const retried = await inventory.reserve(request);
    expect(retried).toEqual(first);
    expect((await stockOf(sku)).reserved).toBe(4);
    expect(await get<unknown[]>(`/warehouse/reservations?orderId=${orderId}`)).toHaveLength(1);
  });

  it('refuses a change without an Idempotency-Key with a 400 problem', async () => {
    const response = await fetch(`${simulators.url}/warehouse/reservations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: 'o', lines: [{ sku: 's', quantity: 1 }], ttlMs: 1000 }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({
      type: 'urn:simulators:idempotency-key-missing',
      status: 400,
    });
  });
});
