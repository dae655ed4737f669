export * from './config';
export * from './logger';
export * from './health';
export * from './probes';
export * from './shutdown';
export * from './kafka';
export * from './reliable-consumer';
export * from './tokens';
