/**
 * The platform's promises, checked over many generated orders: random segments and values,
 * fraud answers, declined cards, missing stock, failing compensations, customers cancelling and
 * parcels leaving at random moments, with days of workflow time skipped. Whatever happens:
 * - a customer never reads CONFIRMED (or READY_TO_SHIP) unless fraud approval, a stock hold and a
 *   payment authorization are all really held at that moment;
 * - every order that ends early has released everything it held;
 * - nobody is charged twice, and only for a parcel that left;
 * - nobody is told the same thing twice or something that contradicts what they were told.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import {
  CUSTOMER_SEGMENTS,
  isTerminal,
  mayNotify,
  type NotificationKind,
} from '@order-platform/domain';
import { type FraudBehaviour, FakeOrderWorld } from '../testing/fake-order-world';
import { type OrderHandle, OrderTestEnv } from '../testing/order-test-env';
import {
  cancelOrderUpdate,
  fraudDecisionSignal,
  manualReviewDecisionUpdate,
  orderDeliveredSignal,
  orderStatusQuery,
  shipmentDispatchedSignal,
} from './messages';

const SCENARIOS = Number(process.env.INVARIANT_SCENARIOS ?? 24);
const SEED = Number(process.env.INVARIANT_SEED ?? 20261123);

/** A small seeded generator (mulberry32), so a failing scenario can be replayed by its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Action =
  | 'wait-minutes'
  | 'wait-hours'
  | 'wait-days'
  | 'cancel'
  | 'review-approve'
  | 'review-reject'
  | 'fraud-approve'
  | 'dispatch'
  | 'deliver';
const ACTIONS: Action[] = [
  'wait-minutes',
  'wait-hours',
  'wait-days',
  'cancel',
  'review-approve',
  'review-reject',
  'fraud-approve',
  'dispatch',
  'deliver',
];
const FRAUD: FraudBehaviour[] = [
  'approve',
  'approve',
  'pending',
  'review',
  'reject',
  'unavailable',
];

describe('the order invariants over generated scenarios', () => {
  let t: OrderTestEnv;
  beforeAll(async () => {
    t = await OrderTestEnv.start();
  });
  afterAll(() => t?.teardown());

  it(`hold for ${SCENARIOS} random orders (seed ${SEED})`, async () => {
    const violations: string[] = [];
    for (let n = 0; n < SCENARIOS; n++) {
      const seed = SEED + n;
      const next = random(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
      const world = new FakeOrderWorld({ 'SKU-1': next() < 0.1 ? 1 : 100 });
      world.fraud = pick(FRAUD);
      if (next() < 0.2) world.declineCustomers.add('customer-1');
      if (next() < 0.3) world.failNext.set('releaseInventory', Math.floor(next() * 5));
      if (next() < 0.3) world.failNext.set('voidAuthorization', Math.floor(next() * 5));
      const actions = Array.from({ length: 3 + Math.floor(next() * 5) }, () => pick(ACTIONS));

      await t.run(world, async () => {
        const handle = await t.place({
          segment: pick(CUSTOMER_SEGMENTS),
          items: [
            {
              sku: 'SKU-1',
              quantity: 1 + Math.floor(next() * 3),
              unitPriceMinor: pick([1_500, 40_000, 250_000]),
            },
          ],
        });
        for (const action of actions) await act(handle, action);
        // Let every timer that is left fire, then deliver whatever was shipped.
        await t.skip('30 days');
        await act(handle, 'deliver');
        const view = await handle.query(orderStatusQuery);
        if (isTerminal(view.stage)) await handle.result();
        violations.push(
          ...check(world, view.orderId, await t.now()).map(
            (v) => `seed ${seed} (${actions.join(', ')}): ${v}`,
          ),
        );
      });
    }
    expect(violations).toEqual([]);
  });

  async function act(handle: OrderHandle, action: Action): Promise<void> {
    // A refused cancel, or a fact arriving after the order ended, is part of the scenario.
    const ignoreRefusal = (error: unknown) => {
      if (!(error instanceof WorkflowUpdateFailedError || error instanceof WorkflowNotFoundError))
        throw error;
    };
    switch (action) {
      case 'wait-minutes':
        return t.skip('17 minutes');
      case 'wait-hours':
        return t.skip('25 hours');
      case 'wait-days':
        return t.skip('8 days');
      case 'cancel':
        return handle
          .executeUpdate(cancelOrderUpdate, {
            args: [{ reason: 'random', requestedBy: 'customer' }],
          })
          .then(() => undefined, ignoreRefusal);
      case 'review-approve':
      case 'review-reject':
        return handle
          .executeUpdate(manualReviewDecisionUpdate, {
            args: [
              {
                decision: action === 'review-approve' ? 'approve' : 'reject',
                operatorId: 'op',
                note: 'generated',
              },
            ],
          })
          .then(() => undefined, ignoreRefusal);
      case 'fraud-approve':
        return handle
          .signal(fraudDecisionSignal, { decision: 'approve', decidedBy: 'provider' })
          .catch(ignoreRefusal);
      case 'dispatch':
        return handle.signal(shipmentDispatchedSignal, {}).catch(ignoreRefusal);
      case 'deliver':
        return handle.signal(orderDeliveredSignal).catch(ignoreRefusal);
    }
  }
});

function check(world: FakeOrderWorld, orderId: string, now: number): string[] {
  const problems: string[] = [];
  for (const { view, held } of world.heldAtProjection.filter((p) => p.view.orderId === orderId)) {
    const promised =
      view.customer.status === 'CONFIRMED' || view.customer.status === 'READY_TO_SHIP';
    if (
      promised &&
      (view.commitments.fraud?.decision !== 'approved' ||
        held.reservations.length === 0 ||
        held.authorizations.length === 0)
    ) {
      problems.push(
        `told ${view.customer.status} at version ${view.version} without every hold (${JSON.stringify(held)})`,
      );
    }
  }
  const final = world.readModel.get(orderId);
  if (final && ['Cancelled', 'Rejected', 'Failed'].includes(final.stage)) {
    const stillHeld = world.heldBy(orderId, now);
    if (stillHeld.reservations.length + stillHeld.authorizations.length > 0) {
      problems.push(`ended ${final.stage} still holding ${JSON.stringify(stillHeld)}`);
    }
  }
  const captures = world.ledger.filter((l) => l.orderId === orderId && l.kind === 'capture');
  if (captures.length > 1) problems.push(`charged ${captures.length} times`);
  if (captures.length === 1 && final && !['Shipped', 'Delivered'].includes(final.stage))
    problems.push(`charged but ${final.stage}`);
  const told: NotificationKind[] = [];
  for (const kind of world.told(orderId)) {
    if (!mayNotify(told, kind)) problems.push(`told "${kind}" after ${JSON.stringify(told)}`);
    told.push(kind);
  }
  return problems;
}
