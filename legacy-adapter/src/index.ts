export * from './mirror/legacy-mapping';
export * from './mirror/mirror-publisher';
export * from './mirror/outbox-source';
export * from './mirror/cdc-source';
export * from './comparator/stage-decisions';
export * from './comparator/comparison-join';
export * from './comparator/comparator';
export * from './bridge/signal-bridge';
