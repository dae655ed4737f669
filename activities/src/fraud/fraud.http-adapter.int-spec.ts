/**
 * The fraud provider over HTTP (FraudPort) against its simulator, started as a process from its
 * entry point: what the saga relies on, said in business terms.
 */
import { unique, useSimulators } from '../testing/simulators';
import { FraudHttpAdapter } from './fraud.http-adapter';
import type { FraudPort } from './fraud.port';

describe('the fraud HTTP adapter against its simulator', () => {
  const simulators = useSimulators();
  const { put } = simulators;
  let fraud: FraudPort;

  beforeAll(() => {
    fraud = new FraudHttpAdapter(simulators.url);
  });

  const screening = (orderId: string, customerId = unique('customer')) => ({
    idempotencyKey: `${orderId}/screen`,
    orderId,
    customerId,
    segment: 'standard',
    totalMinor: 42_00,
    currency: 'EUR',
  });

  afterEach(async () => {
    await put('/fraud/settings', {});
  });

  it('approves an ordinary order with a low score, the same verdict on a retry', async () => {
    const request = screening(unique('order'));
    const verdict = await fraud.screen(request);
    expect(verdict.decision).toBe('approve');
    expect(verdict.score).toBeLessThan(30);
    expect(await fraud.screen(request)).toEqual(verdict);
  });

  it('rejects a customer the provider distrusts', async () => {
    const customerId = unique('fraudster');
    await put('/fraud/settings', { rejectCustomers: [customerId] });
    const verdict = await fraud.screen(screening(unique('order'), customerId));
    expect(verdict).toMatchObject({ decision: 'reject', score: 100 });
  });

  it('is slow for real when its latency is dialled up, and the activity can abort the wait', async () => {
    await put('/fraud/settings', { latencyMs: 1_500 });
    const started = Date.now();
    const verdict = await fraud.screen(screening(unique('order')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(verdict.decision).toBe('approve');

    const controller = new AbortController();
    const cancelled = new Error('activity cancelled');
    setTimeout(() => controller.abort(cancelled), 200);
    const abortedAt = Date.now();
    const error = await fraud
      .screen(screening(unique('order')), controller.signal)
      .catch((e: unknown) => e);
    expect(error).toBe(cancelled);
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
  });
});
