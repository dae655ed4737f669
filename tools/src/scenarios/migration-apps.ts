/**
 * The migration scenario's own apps, on a running stack (the test suite's, or `npm start`'s):
 * the sample monolith, the simulators and a worker, the legacy adapter (its own replication
 * slot, the hand-over sync on, a short comparator grace), a gateway with the scenario's
 * promotion bar, and the facade in front of the monolith. One task queue for all of them.
 */
import { randomUUID } from 'node:crypto';
import type { TokenKeys } from '@order-platform/runtime';
import { AppsUnderTest } from '../testing/apps-under-test';
import { dropReplicationSlot } from '../testing/legacy-monolith';
import type { MigrationTarget } from './migration-client';
import { migrationAppEnv, type MigrationSettings } from './migration-settings';

export interface MigrationApps {
  target: MigrationTarget;
  stop(): Promise<void>;
}

export async function startMigrationApps(
  settings: MigrationSettings,
  tokenKeys: TokenKeys,
): Promise<MigrationApps> {
  const env = migrationAppEnv(settings);
  const apps = new AppsUnderTest('migration');
  const slot = `migration_${randomUUID().slice(0, 8)}`;
  const stop = async () => {
    await apps.stopAll();
    await dropReplicationSlot(slot).catch(() => undefined);
  };
  try {
    const monolithUrl = await apps.start('legacy-monolith');
    const simulatorsUrl = await apps.downstream({ MONOLITH_URL: monolithUrl });
    await apps.start('legacy-adapter', 'legacy-adapter', {
      ...env.legacyAdapter,
      MIRROR_SOURCE: 'cdc',
      MIRROR_SLOT: slot,
      MIRROR_PUBLICATION: slot,
      MONOLITH_URL: monolithUrl,
    });
    const gatewayUrl = await apps.start('gateway', 'gateway', env.gateway);
    const facadeUrl = await apps.start('facade', 'facade', {
      ...env.facade,
      GATEWAY_URL: gatewayUrl,
      MONOLITH_URL: monolithUrl,
    });
    return {
      target: { gatewayUrl, simulatorsUrl, monolithUrl, facadeUrl, tokenKeys, kafkaBrokers: [] },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
