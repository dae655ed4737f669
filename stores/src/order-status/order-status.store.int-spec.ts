/**
 * A customer's one order (the status read, a prepared statement of two primary-key lookups) on
 * the stack's real PostgreSQL: it answers exactly what the customer's order list answers for
 * that order, projected or only submitted or never started, and nothing of anyone else's.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { admittedOrderView, type PlacedOrder } from '@order-platform/domain';
import { placedOrderOf } from '../testing/placed-order';
import { OrderSubmissionStore } from '../submissions/order-submission.store';
import { TypeOrmOrderStatusProjector } from './order-status.projector';
import { OrderStatusStore } from './order-status.store';
import { suiteDataSource } from '../testing/suite-database';

describe("a customer's one order (real PostgreSQL)", () => {
  let dataSource: DataSource;
  let orders: OrderStatusStore;
  let submissions: OrderSubmissionStore;
  let projector: TypeOrmOrderStatusProjector;

  beforeAll(async () => {
    dataSource = await suiteDataSource({ applicationName: 'order-read-spec' });
    orders = new OrderStatusStore(dataSource);
    submissions = new OrderSubmissionStore(dataSource);
    projector = new TypeOrmOrderStatusProjector(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  const submit = async (order: PlacedOrder) =>
    submissions.record(order.customerId, `key-${order.orderId}`, {
      requestHash: order.orderId,
      placedOrder: order,
    });

  it('answers each of the customer’s orders as the list does, in every state', async () => {
    const customer = `c-${randomUUID()}`;
    const projected = placedOrderOf(customer, 3);
    await submit(projected);
    await projector.project({ ...admittedOrderView(projected), version: 1 });
    const projectedWithoutSubmission = placedOrderOf(customer, 2); // a monolith order, say
    await projector.project({ ...admittedOrderView(projectedWithoutSubmission), version: 1 });
    const pending = placedOrderOf(customer, 1);
    await submit(pending);
    const cancelled = placedOrderOf(customer, 0);
    await submit(cancelled);
    expect(await submissions.cancelUnstarted(customer, cancelled.orderId)).toBe('cancelled');

    const list = await orders.listCustomerOrders(customer, { limit: 10 });
    expect(list).toHaveLength(4);
    for (const listed of list) {
      expect(await orders.findCustomerOrder(customer, listed.orderId)).toEqual(listed);
    }
    const byId = Object.fromEntries(list.map((order) => [order.orderId, order]));
    expect(byId[projected.orderId]).toMatchObject({ view: { orderId: projected.orderId } });
    expect(byId[projected.orderId]!.placedOrder).toBeUndefined(); // the projection wins
    expect(byId[projectedWithoutSubmission.orderId]!.view).toBeDefined();
    expect(byId[pending.orderId]).toMatchObject({ placedOrder: { orderId: pending.orderId } });
    expect(byId[pending.orderId]!.neverStarted).toBeUndefined();
    expect(byId[cancelled.orderId]!.neverStarted).toMatchObject({ outcome: 'cancelled' });
  });

  it('finds nothing of another customer’s, projected or only submitted, nor an unknown id', async () => {
    const owner = `c-${randomUUID()}`;
    const stranger = `c-${randomUUID()}`;
    const projected = placedOrderOf(owner, 1);
    await submit(projected);
    await projector.project({ ...admittedOrderView(projected), version: 1 });
    const pending = placedOrderOf(owner, 0);
    await submit(pending);

    expect(await orders.findCustomerOrder(stranger, projected.orderId)).toBeUndefined();
    expect(await orders.findCustomerOrder(stranger, pending.orderId)).toBeUndefined();
    expect(await orders.findCustomerOrder(owner, randomUUID())).toBeUndefined();
    expect(await orders.findCustomerOrder(owner, "' OR '1'='1")).toBeUndefined();
  });

  it('answers the same from every pooled connection, many reads at once', async () => {
    const customer = `c-${randomUUID()}`;
    const order = placedOrderOf(customer, 0);
    await submit(order);
    await projector.project({ ...admittedOrderView(order), version: 1 });
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => orders.findCustomerOrder(customer, order.orderId)),
    );
    expect(new Set(answers.map((answer) => answer?.view?.orderId))).toEqual(
      new Set([order.orderId]),
    );
  });
});
