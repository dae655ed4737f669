export * from './mirror/legacy-mapping';
export * from './mirror/mirror-publisher';
export * from './mirror/outbox-source';
export * from './mirror/cdc-source';
