import { type LedgerFact } from './facts';
import {
  authorizationsLapsedUnused,
  chargedOnce,
  moneyHeldOnce,
  nothingChargedForFollowedOrder,
} from './payments';

const authorized = (reference: string): LedgerFact => ({ kind: 'authorization', reference });
const voided = (reference: string): LedgerFact => ({ kind: 'void', reference });
const captured = (reference: string): LedgerFact => ({ kind: 'capture', reference });
const rules = (violations: { rule: string }[]) => violations.map((v) => v.rule);

describe('charged once: the payment ledger of one order', () => {
  it('passes an order authorized, then captured once when the parcel left', () => {
    const ledger = [authorized('auth-1'), captured('cap-1')];
    expect(chargedOnce({ orderId: 'o-1', standing: 'goods-left', ledger })).toEqual([]);
  });

  it('passes an order whose first authorization was voided before a second one', () => {
    const ledger = [authorized('auth-1'), voided('auth-1'), authorized('auth-2')];
    expect(chargedOnce({ orderId: 'o-1', standing: 'committed', ledger })).toEqual([]);
  });

  it('passes a cancelled order whose authorization was voided', () => {
    const ledger = [authorized('auth-1'), voided('auth-1')];
    expect(chargedOnce({ orderId: 'o-1', standing: 'undone', ledger })).toEqual([]);
  });

  it('catches a second capture', () => {
    const ledger = [authorized('auth-1'), captured('cap-1'), captured('cap-2')];
    expect(chargedOnce({ orderId: 'o-1', standing: 'goods-left', ledger })).toEqual([
      { rule: 'charged-twice', orderId: 'o-1', reason: '2 captures' },
    ]);
  });

  it('catches two authorizations holding money at once', () => {
    const ledger = [authorized('auth-1'), authorized('auth-2')];
    expect(rules(chargedOnce({ orderId: 'o-1', standing: 'committed', ledger }))).toEqual([
      'money-held-twice',
    ]);
  });

  it('catches a capture before the goods left', () => {
    const ledger = [authorized('auth-1'), captured('cap-1')];
    expect(rules(chargedOnce({ orderId: 'o-1', standing: 'committed', ledger }))).toEqual([
      'charged-before-goods-left',
    ]);
  });

  it('passes an undone order whose authorization expired before anyone voided it', () => {
    const ledger = [authorized('auth-1')];
    const authorizations = [{ authorizationId: 'auth-1', state: 'expired' as const }];
    expect(chargedOnce({ orderId: 'o-1', standing: 'undone', ledger, authorizations })).toEqual([]);
  });

  it('passes an authorization that lapsed and was replaced', () => {
    const ledger = [authorized('auth-1'), authorized('auth-2')];
    const authorizations = [
      { authorizationId: 'auth-1', state: 'expired' as const },
      { authorizationId: 'auth-2', state: 'authorized' as const },
    ];
    expect(chargedOnce({ orderId: 'o-1', standing: 'committed', ledger, authorizations })).toEqual(
      [],
    );
  });

  it('catches money still held after the order was undone (the ledger alone: until voided)', () => {
    const ledger = [authorized('auth-1')];
    expect(rules(chargedOnce({ orderId: 'o-1', standing: 'undone', ledger }))).toEqual([
      'money-held-after-undone',
    ]);
    expect(
      rules(
        chargedOnce({ orderId: 'o-2', standing: 'undone', ledger: [...ledger, captured('c')] }),
      ),
    ).toEqual(['money-held-after-undone']);
  });

  it('counts live payments of any book keeper, the monolith included', () => {
    expect(moneyHeldOnce('L-1', 1)).toEqual([]);
    expect(rules(moneyHeldOnce('L-1', 2))).toEqual(['money-held-twice']);
  });

  it('catches the platform charging an order it only follows', () => {
    expect(nothingChargedForFollowedOrder('L-1', [])).toEqual([]);
    expect(rules(nothingChargedForFollowedOrder('L-1', [authorized('auth-1')]))).toEqual([
      'charged-for-followed-order',
    ]);
  });
});

describe('authorizations that lapsed', () => {
  it('pass when a newer one replaced them, or the order ended', () => {
    const renewed = [
      { authorizationId: 'auth-1', state: 'expired' as const },
      { authorizationId: 'auth-2', state: 'authorized' as const },
    ];
    expect(authorizationsLapsedUnused('o-1', renewed, 'committed')).toEqual([]);
    expect(
      authorizationsLapsedUnused('o-1', [{ authorizationId: 'a', state: 'expired' }], 'undone'),
    ).toEqual([]);
  });

  it('are caught when the order still counted on the last one', () => {
    expect(
      authorizationsLapsedUnused(
        'o-1',
        [{ authorizationId: 'auth-1', state: 'expired' }],
        'committed',
      ),
    ).toEqual([
      { rule: 'hold-lapsed-unused', orderId: 'o-1', reason: 'authorization auth-1 lapsed unused' },
    ]);
  });
});
