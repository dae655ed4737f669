// Runs before each integration suite: generous time for real services, and Temporal's SDK
// logging at WARN so the bundler's chatter does not bury the test report.
import { DefaultLogger, Runtime } from '@temporalio/worker';

jest.setTimeout(120_000);
Runtime.install({ logger: new DefaultLogger('WARN') });
