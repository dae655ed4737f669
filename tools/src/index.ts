export * from './stack/stack';
export * from './stack/versions';
export * from './stack/toolchain';
export * from './stack/ports';
export * from './stack/apps';
export * from './testing/apps-under-test';
export * from './testing/schemathesis';
export * from './testing/topic-reader';
