import type { CompensationRecord, OrderStatusView } from './order-status-view';
import { isOutcomeOf, operatorTasksOf } from './operator-tasks';

const at = '2026-11-29T10:00:00.000Z';
const view = (parts: Partial<OrderStatusView>): OrderStatusView =>
  ({
    orderId: 'o-1',
    customerId: 'c-1',
    commitments: {},
    compensations: [],
    ...parts,
  }) as OrderStatusView;
const compensation = (c: Partial<CompensationRecord>): CompensationRecord => ({
  name: 'void-authorization',
  status: 'done',
  attempts: 1,
  at,
  ...c,
});

describe('operator tasks an order calls for', () => {
  it('opens one per compensation refused for good, naming it and the refusal', () => {
    expect(
      operatorTasksOf(
        view({
          compensations: [
            compensation({ name: 'cancel-shipment', status: 'done' }),
            compensation({ status: 'failed', lastError: 'POST /void: 422 refused' }),
            compensation({ name: 'release-inventory', status: 'failing', lastError: '503' }),
          ],
        }),
      ),
    ).toEqual([
      {
        kind: 'compensation-failed',
        orderId: 'o-1',
        customerId: 'c-1',
        subject: 'void-authorization',
        reason: 'POST /void: 422 refused',
        occurredAt: at,
      },
    ]);
  });

  it('opens a post-hoc review for an approval by policy, beside any compensation task', () => {
    const tasks = operatorTasksOf(
      view({
        commitments: {
          fraud: { decision: 'approved', decidedBy: 'policy', flag: 'FraudSlaExpired', at },
        },
        compensations: [compensation({ status: 'failed' })],
      }),
    );
    expect(tasks.map((t) => [t.kind, t.subject, t.reason])).toEqual([
      ['post-hoc-review', 'fraud', 'FraudSlaExpired'],
      ['compensation-failed', 'void-authorization', 'refused'],
    ]);
  });

  it('opens none for an order that settled everything by itself', () => {
    expect(operatorTasksOf(view({ compensations: [compensation({})] }))).toEqual([]);
  });

  it('takes only the outcomes that fit the kind', () => {
    expect(isOutcomeOf('compensation-failed', 'settled-by-hand')).toBe(true);
    expect(isOutcomeOf('compensation-failed', 'no-concern')).toBe(false);
    expect(isOutcomeOf('post-hoc-review', 'no-concern')).toBe(true);
  });
});
