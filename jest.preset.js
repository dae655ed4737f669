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
};
