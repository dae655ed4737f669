/**
 * The submission's hot path on the stack's real PostgreSQL: the submission and its personal data
 * recorded by one statement (both or neither, the first under a key kept), and the start held
 * under the row's lock, so a cancel racing it waits for the answer instead of cancelling an order
 * whose workflow is being started.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { ShippingAddress } from '@order-platform/domain';
import { placedOrderOf } from '../testing/placed-order';
import { preparedQuery } from '../connection';
import { OrderPersonalDataStore } from '../personal-data/order-personal-data.store';
import { OrderSubmissionStore } from './order-submission.store';
import { suiteDataSource } from '../testing/suite-database';

describe('order submissions (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let submissions: OrderSubmissionStore;
  let personalData: OrderPersonalDataStore;

  beforeAll(async () => {
    dataSource = await suiteDataSource({
      applicationName: 'order-submission-spec',
    });
    submissions = new OrderSubmissionStore(dataSource);
    personalData = new OrderPersonalDataStore(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  const address = (name: string): ShippingAddress => ({
    name,
    line1: '1 Main Street',
    city: 'Lyon',
    postalCode: '69001',
    country: 'FR',
  });

  it('records a submission with its personal data, and a repeated key keeps the first of both', async () => {
    const customer = `c-${randomUUID()}`;
    const key = randomUUID();
    const first = placedOrderOf(customer);
    const recorded = await submissions.record(
      customer,
      key,
      { requestHash: 'hash-1', placedOrder: first },
      { shippingAddress: address('Ada') },
    );
    expect(recorded).toMatchObject({
      created: true,
      submission: { orderId: first.orderId, startState: 'pending' },
    });

    const second = placedOrderOf(customer);
    const repeated = await submissions.record(
      customer,
      key,
      { requestHash: 'hash-2', placedOrder: second },
      { shippingAddress: address('Mallory') },
    );
    // The first submission answers, as stored; nothing of the second is kept.
    expect(repeated.created).toBe(false);
    expect(repeated.submission).toEqual({
      orderId: first.orderId,
      requestHash: 'hash-1',
      placedOrder: first,
      startState: 'pending',
    });
    expect(await personalData.find(first.orderId)).toEqual({
      state: 'held',
      shippingAddress: address('Ada'),
    });
    expect(await personalData.find(second.orderId)).toEqual({ state: 'none' });
  });

  it('holds the start under the row lock: a cancel racing it waits and is told the order started', async () => {
    const customer = `c-${randomUUID()}`;
    const order = placedOrderOf(customer);
    await submissions.record(customer, randomUUID(), { requestHash: 'h', placedOrder: order });
    let releaseStart!: () => void;
    let startCalled!: () => void;
    const started = new Promise<void>((resolve) => (startCalled = resolve));
    const starting = submissions.startOnce(order.orderId, async (given) => {
      expect(given).toEqual(order);
      startCalled();
      await new Promise<void>((resolve) => (releaseStart = resolve));
    });
    await started;
    let cancelAnswered = false;
    const cancelling = submissions.cancelUnstarted(customer, order.orderId).then((state) => {
      cancelAnswered = true;
      return state;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cancelAnswered).toBe(false); // waiting on the row lock
    releaseStart();
    expect(await starting).toBe('started');
    expect(await cancelling).toBe('started');
    // A replay starts nothing again.
    const again = jest.fn(async () => undefined);
    expect(await submissions.startOnce(order.orderId, again)).toBe('started');
    expect(again).not.toHaveBeenCalled();
  });

  it('records a failed start with its error and counts the attempt, then rethrows', async () => {
    const customer = `c-${randomUUID()}`;
    const key = randomUUID();
    const order = placedOrderOf(customer);
    await submissions.record(customer, key, { requestHash: 'h', placedOrder: order });
    await expect(
      submissions.startOnce(order.orderId, async () => {
        throw new Error('Temporal unreachable');
      }),
    ).rejects.toThrow('Temporal unreachable');
    const [row] = await preparedQuery<{ start_attempts: number; last_error: string }>(
      dataSource,
      'submission-spec:attempts',
      'SELECT start_attempts, last_error FROM order_submission WHERE order_id = $1',
      [order.orderId],
    );
    expect(row).toEqual({ start_attempts: 1, last_error: 'Temporal unreachable' });
    expect((await submissions.find(customer, key))?.startState).toBe('failed');
    // Started on the next try, the attempt counted again.
    expect(await submissions.startOnce(order.orderId, async () => undefined)).toBe('started');
  });

  it('refuses a prepared statement on a transaction that has ended', async () => {
    let ended!: EntityManager;
    await dataSource.transaction(async (tx) => {
      ended = tx;
    });
    await expect(preparedQuery(ended, 'submission-spec:late', 'SELECT 1', [])).rejects.toThrow(
      'its transaction has ended',
    );
  });
});
