// Runs before each integration suite: generous time for real services, and Temporal's SDK
// logging at ERROR: retried activity failures are expected here and would bury the report.
import { DefaultLogger, Runtime } from '@temporalio/worker';

jest.setTimeout(120_000);
Runtime.install({ logger: new DefaultLogger('ERROR') });
