import { Client } from 'pg';
import { migrate, MIGRATIONS_TABLE, revertLastMigration } from './data-source';

const url = (): string => {
  const value = process.env.DATABASE_URL;
  if (!value) throw new Error('DATABASE_URL is not set: run through the integration suite');
  return value;
};

async function tableExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: url() });
  await client.connect();
  try {
    const result = await client.query('SELECT to_regclass($1) AS oid', [name]);
    return result.rows[0].oid !== null;
  } finally {
    await client.end();
  }
}

describe('the platform schema history on PostgreSQL', () => {
  it('reverts the latest migration and applies it again, recording both', async () => {
    // The suite's global setup migrated the database already.
    expect(await tableExists('inbox_event')).toBe(true);
    expect(await migrate(url())).toEqual([]);

    await revertLastMigration(url());
    expect(await tableExists('inbox_event')).toBe(false);

    expect(await migrate(url())).toEqual(['CreateInbox1795430000000']);
    expect(await tableExists('inbox_event')).toBe(true);
    expect(await tableExists(MIGRATIONS_TABLE)).toBe(true);
  });
});
