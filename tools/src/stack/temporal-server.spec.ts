import {
  DEV_SERVER_DYNAMIC_CONFIG,
  HISTORY_SHARDS,
  type InternalPorts,
  serverConfig,
  type TemporalServerOptions,
} from './temporal-server';

describe("the Temporal server's generated configuration", () => {
  const options = {
    port: 17233,
    uiPort: 18233,
    postgresPort: 15432,
    namespace: 'default',
  } as TemporalServerOptions;
  const ports: InternalPorts = {
    frontendHttp: 20001,
    frontendMembership: 20002,
    historyGrpc: 20003,
    historyMembership: 20004,
    matchingGrpc: 20005,
    matchingMembership: 20006,
    workerGrpc: 20007,
    workerMembership: 20008,
  };
  const config = serverConfig(options, ports, '/state/config/dynamicconfig.yaml');

  it("stores histories and visibility in the stack's PostgreSQL through the postgres12 plugin", () => {
    const stores = Object.values(config.persistence.datastores).map((store) => store.sql);
    expect(stores.map((sql) => sql.databaseName)).toEqual(['temporal', 'temporal_visibility']);
    for (const sql of stores) {
      expect(sql).toMatchObject({ pluginName: 'postgres12', connectAddr: '127.0.0.1:15432' });
    }
    expect(config.persistence.numHistoryShards).toBe(HISTORY_SHARDS);
  });

  it("answers clients on the stack's Temporal port, with every internal port its own", () => {
    expect(config.services.frontend.rpc.grpcPort).toBe(17233);
    expect(config.publicClient.hostPort).toBe('127.0.0.1:17233');
    expect(config.clusterMetadata.clusterInformation.active.rpcAddress).toBe('127.0.0.1:17233');
    const used = Object.values(config.services).flatMap(({ rpc }) => [
      rpc.grpcPort,
      rpc.membershipPort,
    ]);
    expect(new Set(used).size).toBe(used.length);
    expect(Object.values(config.services).every(({ rpc }) => rpc.bindOnLocalHost)).toBe(true);
  });

  it("reads the dev server's dynamic config, so search attributes are visible at once on both", () => {
    expect(config.dynamicConfigClient.filepath).toBe('/state/config/dynamicconfig.yaml');
    expect(DEV_SERVER_DYNAMIC_CONFIG['system.forceSearchAttributesCacheRefreshOnRead']).toBe(true);
  });
});
