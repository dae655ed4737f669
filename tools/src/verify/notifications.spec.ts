import { toldOnceAndConsistently, toldWhatHappened } from './notifications';

const rules = (violations: { rule: string }[]) => violations.map((v) => v.rule);

describe('told once, and consistently', () => {
  it('passes a customer told of a delay, the confirmation, the parcel and its delivery', () => {
    expect(
      toldOnceAndConsistently('o-1', ['delayed', 'confirmed', 'shipped', 'delivered']),
    ).toEqual([]);
  });

  it('catches the same thing told twice', () => {
    expect(toldOnceAndConsistently('o-1', ['confirmed', 'confirmed'])).toEqual([
      { rule: 'told-twice', orderId: 'o-1', reason: "told 'confirmed' after confirmed" },
    ]);
  });

  it('catches a contradiction: a delay after the confirmation, anything after the last word', () => {
    expect(rules(toldOnceAndConsistently('o-1', ['confirmed', 'delayed']))).toEqual([
      'told-contradiction',
    ]);
    expect(rules(toldOnceAndConsistently('o-1', ['cancelled', 'confirmed']))).toEqual([
      'told-contradiction',
    ]);
  });

  it('passes two returns each told of once, and catches one return told twice', () => {
    const order = ['confirmed', 'shipped', 'delivered'] as const;
    expect(
      toldOnceAndConsistently('o-1', [
        ...order,
        { kind: 'return-authorized', returnId: 'r-1' },
        { kind: 'return-lapsed', returnId: 'r-1' },
        { kind: 'return-authorized', returnId: 'r-2' },
        { kind: 'refunded', returnId: 'r-2' },
      ]),
    ).toEqual([]);
    expect(
      toldOnceAndConsistently('o-1', [
        ...order,
        { kind: 'return-authorized', returnId: 'r-1' },
        { kind: 'return-authorized', returnId: 'r-1' },
      ]),
    ).toEqual([
      {
        rule: 'told-twice',
        orderId: 'o-1',
        reason: "told 'return-authorized' after confirmed, shipped, delivered, return-authorized",
      },
    ]);
  });
});

describe('told what happened', () => {
  it('passes a reviewed order told of the delay, then confirmed', () => {
    expect(
      toldWhatHappened({
        orderId: 'o-1',
        told: ['delayed', 'confirmed'],
        standing: 'committed',
        wentToManualReview: true,
      }),
    ).toEqual([]);
  });

  it('passes an order still in flight that was told nothing yet', () => {
    expect(
      toldWhatHappened({
        orderId: 'o-1',
        told: [],
        standing: 'in-flight',
        wentToManualReview: false,
      }),
    ).toEqual([]);
  });

  it('catches a committed order whose customer was never told', () => {
    expect(
      toldWhatHappened({
        orderId: 'o-1',
        told: [],
        standing: 'committed',
        wentToManualReview: false,
      }),
    ).toEqual([
      { rule: 'not-told-confirmed', orderId: 'o-1', reason: 'committed but told nothing' },
    ]);
  });

  it('catches a reviewed order whose customer was not told of the delay', () => {
    expect(
      rules(
        toldWhatHappened({
          orderId: 'o-1',
          told: ['cancelled'],
          standing: 'undone',
          wentToManualReview: true,
        }),
      ),
    ).toEqual(['not-told-delayed']);
  });
});
