// Stops the run's stack and deletes its state; KEEP_TEST_STACK=1 keeps it for a post-mortem.
const { execFileSync } = require('node:child_process');
const { PLATFORM, ROOT } = require('./global-setup');

module.exports = async function globalTeardown() {
  const stateDir = process.env.ORDER_TEST_STACK_DIR;
  if (!stateDir) return;
  const destroy = process.env.KEEP_TEST_STACK === '1' ? [] : ['--destroy'];
  if (destroy.length === 0) console.log(`\nkept the test stack's state in ${stateDir}`);
  execFileSync(process.execPath, [...PLATFORM, 'stack-down', '--state-dir', stateDir, ...destroy], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
};
