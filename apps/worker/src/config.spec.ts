import { RECONCILIATION_MINIMUM_GRACE_MS } from '@order-platform/domain';
import { loadWorkerConfig } from './config';

const required = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

describe("the worker's configuration and reconciliation's minimum grace", () => {
  it('uses the minimum grace by default', () => {
    expect(loadWorkerConfig(required).reconciliation.graceMs).toBe(RECONCILIATION_MINIMUM_GRACE_MS);
  });

  it('refuses a shorter grace, naming the variable', () => {
    expect(() => loadWorkerConfig({ ...required, RECONCILIATION_GRACE_MS: '0' })).toThrow(
      /RECONCILIATION_GRACE_MS/,
    );
  });

  it('refuses a fraud or payment SLA the minimum grace would not outlast', () => {
    const overrides = JSON.stringify({ vip: { paymentSlaMs: '30m', reservationTtlMs: '1h' } });
    expect(() => loadWorkerConfig({ ...required, STAGE_POLICY_OVERRIDES: overrides })).toThrow(
      /vip\.paymentSlaMs must be shorter than reconciliation's minimum grace/,
    );
  });
});
