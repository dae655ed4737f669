import { MIGRATION_STAGES } from './legacy-events';
import { bulkheadTaskQueue, DOWNSTREAMS } from './resilience';

describe('the downstream contexts', () => {
  it('each have a bulkhead task queue named after the order task queue', () => {
    expect(DOWNSTREAMS.map((context) => bulkheadTaskQueue('orders', context))).toEqual([
      'orders.fraud',
      'orders.inventory',
      'orders.payment',
      'orders.fulfillment',
      'orders.notifications',
    ]);
  });

  it('each are one migration stage, under the name stored in routes and sent in events', () => {
    expect(MIGRATION_STAGES).toEqual([
      'fraud',
      'inventory',
      'payment',
      'fulfilment',
      'notification',
    ]);
  });
});
