import {
  RECONCILIATION_GRACE_FLOOR_MS,
  RECONCILIATION_GRACE_MARGIN_MS,
} from '@order-platform/domain';
import { DOWNSTREAM_CALL_BUDGET_MS } from '@order-platform/workflows';
import { generateCodecKey } from '@order-platform/runtime';
import { loadWorkerConfig } from './config';

const required = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  PAYLOAD_CODEC_KEYS: generateCodecKey('k1'),
};

describe("the worker's configuration and reconciliation's minimum grace", () => {
  it('leaves the scheduled grace to the minimum by default', () => {
    expect(loadWorkerConfig(required).reconciliation.graceMs).toBeUndefined();
  });

  it('refuses a grace below the floor, naming the variable', () => {
    expect(() => loadWorkerConfig({ ...required, RECONCILIATION_GRACE_MS: '0' })).toThrow(
      /RECONCILIATION_GRACE_MS/,
    );
    expect(
      loadWorkerConfig({
        ...required,
        RECONCILIATION_GRACE_MS: String(RECONCILIATION_GRACE_FLOOR_MS),
      }).reconciliation.graceMs,
    ).toBe(RECONCILIATION_GRACE_FLOOR_MS);
  });

  it('derives the minimum from the payment SLAs it runs orders with and the reserve call budget', () => {
    const overrides = JSON.stringify({ vip: { paymentSlaMs: '30m', reservationTtlMs: '1h' } });
    const { minimumGrace } = loadWorkerConfig({
      ...required,
      STAGE_POLICY_OVERRIDES: overrides,
    }).reconciliation;
    expect(minimumGrace).toEqual({
      authorizationMs: 30 * 60_000 + RECONCILIATION_GRACE_MARGIN_MS,
      reservationMs: DOWNSTREAM_CALL_BUDGET_MS + RECONCILIATION_GRACE_MARGIN_MS,
    });
  });

  it('refuses to start without payload codec keys: no process writes plaintext payloads', () => {
    expect(() => loadWorkerConfig({ DATABASE_URL: required.DATABASE_URL })).toThrow(
      /PAYLOAD_CODEC_KEYS is required/,
    );
  });

  it('bounds the workflow cache only when told, and refuses a size the SDK cannot run', () => {
    expect(loadWorkerConfig(required).maxCachedWorkflows).toBeUndefined();
    expect(
      loadWorkerConfig({ ...required, WORKER_MAX_CACHED_WORKFLOWS: '250' }).maxCachedWorkflows,
    ).toBe(250);
    // The SDK would quietly raise 1 to 2: the worker refuses it at start instead.
    expect(() => loadWorkerConfig({ ...required, WORKER_MAX_CACHED_WORKFLOWS: '1' })).toThrow(
      /WORKER_MAX_CACHED_WORKFLOWS/,
    );
    expect(() => loadWorkerConfig({ ...required, WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toThrow(
      /WORKER_MAX_CACHED_WORKFLOWS/,
    );
  });
});
