/**
 * For suites and benchmarks outside this package, never for the apps: an order to put into the
 * stores, the suite's database.
 */
export { placedOrderOf } from './placed-order';
export { suiteDatabaseUrl, suiteDataSource } from './suite-database';
