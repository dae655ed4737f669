import type { DataSource } from 'typeorm';
import { platformDataSource, type PlatformDataSourceOptions } from '../connection';

/** The integration suite's platform database, migrated by its global setup. */
export function suiteDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run through the integration suite');
  return url;
}

/** A DataSource on the suite's database, initialized: the suite destroys it when done. */
export const suiteDataSource = (options: PlatformDataSourceOptions): Promise<DataSource> =>
  platformDataSource(suiteDatabaseUrl(), options).initialize();
