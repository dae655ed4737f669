// After Jest's own summary, the failing tests once more, one or two lines each, in the order they
// ran, with the time their suite ended: the last lines of a long run are often all a CI log
// shows, and Jest's summary there holds only the last failure's diff. The time lines a failure
// up with the apps' and the stack's logs; a cascade (a suite that failed because an earlier one
// left something behind) shows as its first failure.
const { relative } = require('node:path');

const MAX_LISTED = 25;
// eslint-disable-next-line no-control-regex -- the escape that starts a colour code
const ANSI = /\u001b\[[0-9;]*m/g;

/** The first two lines of a failure message that say something (not the matcher's name). */
function firstTelling(message) {
  const lines = String(message ?? '')
    .replace(ANSI, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(\w*Error: )?expect\(/.test(line));
  const told = lines.slice(0, 2).join(' · ') || '(no message)';
  return told.length > 300 ? `${told.slice(0, 300)}…` : told;
}

class FailureDigestReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const failures = [];
    for (const suite of results.testResults) {
      const file = relative(this.rootDir, suite.testFilePath);
      const ended = new Date(suite.perfStats.end || Date.now()).toISOString().slice(11, 19);
      if (suite.testExecError) {
        failures.push(`${file} (ended ${ended}Z): ${firstTelling(suite.testExecError.message)}`);
      }
      for (const test of suite.testResults) {
        if (test.status !== 'failed') continue;
        failures.push(
          `${file} › ${test.fullName} (ended ${ended}Z)\n      ${firstTelling(test.failureMessages[0])}`,
        );
      }
    }
    if (failures.length === 0) return;
    const listed = failures.slice(0, MAX_LISTED).map((failure) => `  ${failure}`);
    if (failures.length > MAX_LISTED) listed.push(`  … and ${failures.length - MAX_LISTED} more`);
    process.stderr.write(`\nfailing, in the order they ran:\n${listed.join('\n')}\n`);
  }
}

module.exports = FailureDigestReporter;
