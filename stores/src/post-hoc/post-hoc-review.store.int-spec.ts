/**
 * Post-hoc review tasks on the stack's real PostgreSQL: an operator closes an open task once,
 * with an outcome and a note, audited in the same transaction; a second close changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { OperatorAuditRecord } from '../audit/operator-audit.entity';
import { platformDataSource } from '../connection';
import { openPostHocReview, PostHocReviewStore } from './post-hoc-review.store';

describe('post-hoc review tasks (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let store: PostHocReviewStore;

  beforeAll(async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set: run through the integration suite');
    dataSource = await platformDataSource(url, { applicationName: 'post-hoc-spec' }).initialize();
    store = new PostHocReviewStore(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('closes an open task once, audited, and lists it among the closed', async () => {
    const orderId = `o-${randomUUID()}`;
    await openPostHocReview(dataSource, {
      orderId,
      customerId: 'c-1',
      flag: 'FraudProviderUnavailable',
      approvedAt: new Date().toISOString(),
    });
    expect((await store.list('open', 500)).map((task) => task.orderId)).toContain(orderId);

    const decision = { outcome: 'no-concern', note: 'screened by hand: fine' } as const;
    const closed = await store.close(orderId, 'ops-7', decision);
    expect(closed).toEqual({
      closed: expect.objectContaining({
        orderId,
        status: 'closed',
        outcome: 'no-concern',
        closedBy: 'ops-7',
        note: decision.note,
      }),
    });
    expect(await store.close(orderId, 'ops-8', decision)).toEqual({ notOpen: 'closed' });
    expect(await store.close(`o-${randomUUID()}`, 'ops-8', decision)).toEqual({ notFound: true });
    const audited = await dataSource
      .getRepository(OperatorAuditRecord)
      .findBy({ subject: orderId, action: 'post-hoc-review-close' });
    expect(audited.map((entry) => entry.operatorId)).toEqual(['ops-7']);
    expect((await store.list('closed', 500)).map((task) => task.orderId)).toContain(orderId);
  });
});
