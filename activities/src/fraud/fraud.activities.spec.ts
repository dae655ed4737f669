import { activityOf, failureOf } from '../testing/activity-environment';
import { CircuitOpenError } from './circuit-breaker';
import { createFraudActivities } from './fraud.activities';
import type { FraudScreeningRequest } from './fraud.port';

const order = {
  step: 'screen-order',
  orderId: 'o-1',
  customerId: 'c-1',
  segment: 'standard',
  totalMinor: 50_00,
  currency: 'EUR',
};

describe('screening an order with the fraud provider', () => {
  it('asks once per order: under the key of the screening step, whatever the attempt', async () => {
    const asked: FraudScreeningRequest[] = [];
    const { screenOrder } = createFraudActivities({
      fraud: {
        screen: async (request) => {
          asked.push(request);
          return { decision: 'approve', score: 5, reference: 'fraud-1' };
        },
      },
    });
    expect(await activityOf('order-o-1', 1).run(screenOrder, order)).toEqual({
      decision: 'approve',
      score: 5,
      reference: 'fraud-1',
    });
    await activityOf('order-o-1', 2).run(screenOrder, order);
    const { step: _step, ...request } = order;
    expect(asked).toEqual([
      { ...request, idempotencyKey: 'order-o-1/screen-order' },
      { ...request, idempotencyKey: 'order-o-1/screen-order' },
    ]);
  });

  it('stops waiting for the provider when the order stops waiting for the screening', async () => {
    let aborted = false;
    const { screenOrder } = createFraudActivities({
      fraud: {
        screen: (_request, signal) =>
          new Promise((_, reject) =>
            signal?.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('screening abandoned'));
            }),
          ),
      },
    });
    const environment = activityOf();
    const screening = environment.run(screenOrder, order);
    environment.cancel();
    await expect(screening).rejects.toThrow();
    expect(aborted).toBe(true);
  });

  it('sends the order to review at once while the provider’s circuit is open', async () => {
    const { screenOrder } = createFraudActivities({
      fraud: {
        screen: async () => {
          throw new CircuitOpenError(30_000);
        },
      },
    });
    expect(await failureOf(activityOf().run(screenOrder, order))).toMatchObject({
      type: 'FraudCircuitOpen',
      nonRetryable: true,
    });
  });
});
