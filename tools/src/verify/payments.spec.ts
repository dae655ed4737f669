import { type LedgerFact } from './facts';
import {
  authorizationsLapsedUnused,
  chargedOnce,
  moneyHeldOnce,
  neverCapturedWhenUndone,
  neverShippedWithoutCapture,
  nothingChargedForFollowedOrder,
  paidForWhatWasKept,
  refundsWithinCapture,
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

describe('money follows the goods: captures and refunds against what the customer kept', () => {
  const take = (reference: string, amountMinor: number): LedgerFact => ({
    kind: 'capture',
    reference,
    amountMinor,
  });
  const giveBack = (captureId: string, amountMinor: number): LedgerFact => ({
    kind: 'refund',
    reference: `ref-${captureId}-${amountMinor}`,
    captureId,
    amountMinor,
  });
  const shipped = { orderId: 'o-1', standing: 'goods-left' as const, totalMinor: 9_900 };

  it('passes a shipped order that captured its total and refunded the line sent back', () => {
    const ledger = [authorized('auth-1'), take('cap-1', 9_900), giveBack('cap-1', 2_500)];
    expect(paidForWhatWasKept({ ...shipped, returnedMinor: 2_500, ledger })).toEqual([]);
    expect(refundsWithinCapture('o-1', ledger)).toEqual([]);
  });

  it('catches a capture that is not the order total (lines plus shipping)', () => {
    const ledger = [authorized('auth-1'), take('cap-1', 9_000)];
    expect(paidForWhatWasKept({ ...shipped, returnedMinor: 0, ledger })).toEqual([
      {
        rule: 'paid-for-other-than-kept',
        orderId: 'o-1',
        reason: 'captured 9000 for an order of 9900',
      },
    ]);
  });

  it('catches a line sent back but never refunded, and a refund nobody sent anything back for', () => {
    const unrefunded = [authorized('auth-1'), take('cap-1', 9_900)];
    expect(
      rules(paidForWhatWasKept({ ...shipped, returnedMinor: 2_500, ledger: unrefunded })),
    ).toEqual(['paid-for-other-than-kept']);
    const unearned = [...unrefunded, giveBack('cap-1', 2_500)];
    expect(paidForWhatWasKept({ ...shipped, returnedMinor: 0, ledger: unearned })).toEqual([
      {
        rule: 'paid-for-other-than-kept',
        orderId: 'o-1',
        reason: '7400 kept after refunds, the lines kept cost 9900',
      },
    ]);
  });

  it('judges only orders whose goods left', () => {
    expect(
      paidForWhatWasKept({ ...shipped, standing: 'committed', returnedMinor: 0, ledger: [] }),
    ).toEqual([]);
  });

  it('catches a capture for a cancelled order, even one refunded in full; passes a voided one', () => {
    const refunded = [authorized('auth-1'), take('cap-1', 9_900), giveBack('cap-1', 9_900)];
    expect(rules(neverCapturedWhenUndone('o-1', 'undone', refunded))).toEqual([
      'captured-for-undone-order',
    ]);
    expect(neverCapturedWhenUndone('o-1', 'undone', [authorized('a'), voided('a')])).toEqual([]);
    expect(neverCapturedWhenUndone('o-1', 'goods-left', refunded)).toEqual([]);
  });

  it('catches goods that left with nothing captured; passes a shipped order that captured', () => {
    expect(neverShippedWithoutCapture('o-1', 'goods-left', [authorized('auth-1')])).toEqual([
      {
        rule: 'shipped-without-capture',
        orderId: 'o-1',
        reason: 'the goods left with nothing captured',
      },
    ]);
    const ledger = [authorized('auth-1'), take('cap-1', 9_900)];
    expect(neverShippedWithoutCapture('o-1', 'goods-left', ledger)).toEqual([]);
    expect(neverShippedWithoutCapture('o-2', 'committed', [authorized('auth-2')])).toEqual([]);
  });

  it('catches refunds above their capture, and above all captures together', () => {
    const ledger = [
      take('cap-1', 5_000),
      take('cap-2', 1_000),
      giveBack('cap-1', 3_000),
      giveBack('cap-2', 2_000),
    ];
    expect(refundsWithinCapture('o-1', ledger)).toEqual([
      {
        rule: 'refunded-above-capture',
        orderId: 'o-1',
        reason: 'refunded 2000 of capture cap-2, which took 1000',
      },
    ]);
    const unnamed: LedgerFact = { kind: 'refund', reference: 'ref-9', amountMinor: 7_000 };
    expect(refundsWithinCapture('o-1', [take('cap-1', 5_000), unnamed])).toEqual([
      {
        rule: 'refunded-above-capture',
        orderId: 'o-1',
        reason: 'refunded 7000 in all, 5000 captured',
      },
    ]);
  });

  it('catches a refund from a capture the ledger does not show', () => {
    expect(rules(refundsWithinCapture('o-1', [giveBack('cap-9', 100)]))).toEqual([
      'refunded-above-capture',
      'refunded-above-capture',
    ]);
  });
});
