// Two suites: `unit` (one module, fakes allowed, parallel) and `integration` (the real local
// stack, started once per run by the global setup, tests in band because they share it).
const preset = require('./jest.preset');

module.exports = {
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
  ],
};
