/**
 * Admission when its shared state is out of reach or slow to settle: the order is refused
 * with a 503 problem before anything is submitted (fail closed), and a slot whose settling
 * fails does not turn the customer's answer into an error.
 */
import type { Client } from '@temporalio/client';
import type { AdmissionStore } from '@order-platform/stores';
import type { GatewayConfig } from '../config';
import { Problem } from '../http/problem';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { AdmissionService } from './admission.service';

const config = {
  taskQueue: 'orders',
  admission: {
    maxPending: 10,
    maxPendingExpedited: 20,
    maxInFlight: 4,
    sampleIntervalMs: 1000,
    perCustomerPerMinute: 60,
    perCustomerBurst: 5,
  },
} as unknown as GatewayConfig;

const counter = () => ({ inc: jest.fn() });
const metrics = {
  shed: counter(),
  admitted: counter(),
} as unknown as GatewayMetrics;
const logger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };

const service = (store: Partial<AdmissionStore>) =>
  new AdmissionService(config, {} as Client, store as AdmissionStore, metrics, logger as never);

describe('admission when PostgreSQL does not answer', () => {
  it('refuses the order with 503 and Retry-After, submitting nothing', async () => {
    const submit = jest.fn();
    const admission = service({
      take: jest.fn().mockRejectedValue(new Error('Connection terminated unexpectedly')),
    });
    const refused = await admission.admit('c-1', 'standard', submit).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({
      status: 503,
      slug: 'temporarily-unavailable',
      headers: { 'retry-after': '5' },
    });
    expect(submit).not.toHaveBeenCalled();
    expect(metrics.shed.inc).toHaveBeenCalledWith({ reason: 'unavailable', lane: 'standard' });
  });

  it('answers the admitted order even if settling its slot fails, and logs it', async () => {
    const admission = service({
      take: jest.fn().mockResolvedValue({ outcome: 'admitted', generation: 3 }),
      finish: jest.fn().mockRejectedValue(new Error('timeout')),
    });
    await expect(
      admission.admit('c-1', 'expedited', async () => ({ created: true, result: 'order-1' })),
    ).resolves.toBe('order-1');
    expect(logger.warn).toHaveBeenCalledWith('admission slot not finished', expect.anything());
  });

  it('gives the slot back when the submission fails', async () => {
    const finish = jest.fn().mockResolvedValue(undefined);
    const admission = service({
      take: jest.fn().mockResolvedValue({ outcome: 'admitted', generation: 7 }),
      finish,
    });
    await expect(
      admission.admit('c-1', 'standard', () => Promise.reject(new Error('catalogue down'))),
    ).rejects.toThrow('catalogue down');
    expect(finish).toHaveBeenCalledWith('orders', 7, false);
  });
});
