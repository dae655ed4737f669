// Shared Jest settings: SWC compiles TypeScript (decorators on, for NestJS); `tsc --noEmit` in
// `npm test` does the type checking SWC skips. Import aliases mirror tsconfig.base.json.
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace(/[/\\^$*+?.()|[\]{}-]/g, '\\$&')}$`,
    `<rootDir>/${target.replace(/^\.\//, '')}`,
  ]),
);

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleNameMapper,
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.stack/'],
  // Out of Jest's file map altogether, whatever a command line sets: the state of `npm start`
  // (PostgreSQL's data folder holds pg_logical/snapshots/*.snap, which Jest would otherwise
  // report as obsolete snapshot files) and the prebuilt workflow bundle.
  modulePathIgnorePatterns: ['<rootDir>/\\.stack/', '<rootDir>/dist/'],
};
