export * from './search-attributes';
export * from './kafka-topics';
