/**
 * Operator tasks on the stack's real PostgreSQL: each kind opens once per order and subject;
 * an operator closes an open task once, with an outcome that fits its kind and a note, audited
 * in the same transaction; a second close changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { OperatorAuditRecord } from '../audit/operator-audit.entity';
import { openOperatorTask, OperatorTaskStore } from './operator-task.store';
import { suiteDataSource } from '../testing/suite-database';

describe('operator tasks (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let store: OperatorTaskStore;

  beforeAll(async () => {
    dataSource = await suiteDataSource({
      applicationName: 'operator-task-spec',
    });
    store = new OperatorTaskStore(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  const opening = (orderId: string) => ({
    orderId,
    customerId: 'c-1',
    occurredAt: new Date().toISOString(),
  });

  it('closes an open post-hoc review once, audited, and lists it among the closed', async () => {
    const orderId = `o-${randomUUID()}`;
    const key = { orderId, kind: 'post-hoc-review', subject: 'fraud' } as const;
    await openOperatorTask(dataSource, {
      ...opening(orderId),
      kind: 'post-hoc-review',
      subject: 'fraud',
      reason: 'FraudProviderUnavailable',
    });
    expect((await store.list({ status: 'open' }, 500)).map((task) => task.orderId)).toContain(
      orderId,
    );

    const decision = { outcome: 'no-concern', note: 'screened by hand: fine' } as const;
    const closed = await store.close(key, 'ops-7', decision);
    expect(closed).toEqual({
      closed: expect.objectContaining({
        orderId,
        status: 'closed',
        outcome: 'no-concern',
        closedBy: 'ops-7',
        note: decision.note,
      }),
    });
    expect(await store.close(key, 'ops-8', decision)).toEqual({ notOpen: 'closed' });
    expect(await store.close({ ...key, orderId: `o-${randomUUID()}` }, 'ops-8', decision)).toEqual({
      notFound: true,
    });
    const audited = await dataSource
      .getRepository(OperatorAuditRecord)
      .findBy({ subject: orderId, action: 'post-hoc-review-close' });
    expect(audited.map((entry) => entry.operatorId)).toEqual(['ops-7']);
    expect((await store.list({ status: 'closed' }, 500)).map((task) => task.orderId)).toContain(
      orderId,
    );
  });

  it('keeps a failed compensation apart from a post-hoc review of the same order, by kind and subject', async () => {
    const orderId = `o-${randomUUID()}`;
    const failed = {
      ...opening(orderId),
      kind: 'compensation-failed',
      subject: 'void-authorization',
      reason: 'POST /void: 422 refused',
    } as const;
    await openOperatorTask(dataSource, failed);
    await openOperatorTask(dataSource, failed);
    await openOperatorTask(dataSource, { ...failed, kind: 'post-hoc-review', subject: 'fraud' });
    const open = (await store.list({ status: 'open', kind: 'compensation-failed' }, 500)).filter(
      (task) => task.orderId === orderId,
    );
    expect(open.map((task) => [task.kind, task.subject])).toEqual([
      ['compensation-failed', 'void-authorization'],
    ]);

    const key = { orderId, kind: 'compensation-failed', subject: 'void-authorization' } as const;
    const closed = await store.close(key, 'ops-9', {
      outcome: 'settled-by-hand',
      note: 'voided in the gateway console',
    });
    expect('closed' in closed && closed.closed.outcome).toBe('settled-by-hand');
    const audited = await dataSource
      .getRepository(OperatorAuditRecord)
      .findBy({ subject: orderId, action: 'compensation-failed-close' });
    expect(audited.map((entry) => [entry.operatorId, entry.details])).toEqual([
      [
        'ops-9',
        expect.objectContaining({ kind: 'compensation-failed', about: 'void-authorization' }),
      ],
    ]);
    // An outcome of another kind is refused by the table itself.
    await expect(
      dataSource.query(
        `UPDATE operator_task SET outcome = 'no-concern' WHERE order_id = $1 AND kind = $2`,
        [orderId, 'compensation-failed'],
      ),
    ).rejects.toThrow(/operator_task_outcome_ck/);
  });
});
