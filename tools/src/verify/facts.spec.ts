import { CUSTOMER_STATUSES, ORDER_STAGES } from '@order-platform/domain';
import { authorizationsInLedger, standingOfStage, standingOfStatus } from './facts';

describe('facts as the rules read them', () => {
  it('gives every stage and every customer status a standing', () => {
    expect(ORDER_STAGES.map(standingOfStage)).not.toContain(undefined);
    expect(CUSTOMER_STATUSES.map(standingOfStatus)).not.toContain(undefined);
    expect(standingOfStage('ManualReviewRequired')).toBe('manual-review');
    expect(standingOfStage('Failed')).toBe('undone');
    expect(standingOfStatus('READY_TO_SHIP')).toBe('committed');
  });

  it('reads each authorization on the ledger as authorized until its void appears', () => {
    expect(
      authorizationsInLedger([
        { kind: 'authorization', reference: 'auth-1' },
        { kind: 'void', reference: 'auth-1' },
        { kind: 'authorization', reference: 'auth-2' },
        { kind: 'capture', reference: 'cap-1' },
      ]),
    ).toEqual([
      { authorizationId: 'auth-1', state: 'voided' },
      { authorizationId: 'auth-2', state: 'authorized' },
    ]);
  });
});
