// Three suites: `unit` (one module, fakes allowed, parallel), `integration` (the real local
// stack, started once per run by the global setup, tests in band because they share it) and
// `faults` (the same kind of stack, whose services the fault-injection suite stops and restarts:
// `npm run test:faults`). Each suite's pattern matches only its own files.
const preset = require('./jest.preset');

module.exports = {
  // After the summary, every failing test once more in a line or two (a CI log's tail).
  reporters: ['default', '<rootDir>/tools/src/testing/failure-digest-reporter.js'],
  projects: [
    { ...preset, displayName: 'unit', testMatch: ['<rootDir>/**/*.spec.ts'] },
    {
      ...preset,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/tools/src/testing/global-setup.js',
      globalTeardown: '<rootDir>/tools/src/testing/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/tools/src/testing/integration-setup.ts'],
    },
    {
      ...preset,
      displayName: 'faults',
      testMatch: ['<rootDir>/**/*.fault-spec.ts'],
      globalSetup: '<rootDir>/tools/src/testing/global-setup.js',
      globalTeardown: '<rootDir>/tools/src/testing/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/tools/src/testing/integration-setup.ts'],
    },
  ],
};
