/**
 * The platform's schema history on the stack's real PostgreSQL: the latest migration can be
 * reverted and applied again (a bad deploy can be rolled back one step), and the history table
 * records both.
 */
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
  it('reverts the latest migration (the order status read model) and applies it again', async () => {
    // The suite's global setup migrated the database already.
    expect(await tableExists('inbox_event')).toBe(true);
    expect(await tableExists('order_status')).toBe(true);
    expect(await migrate(url())).toEqual([]);

    // Only the latest step goes: the inbox, created before it, stays.
    await revertLastMigration(url());
    expect(await tableExists('order_status')).toBe(false);
    expect(await tableExists('inbox_event')).toBe(true);

    expect(await migrate(url())).toEqual(['CreateOrderStatus1795430100000']);
    expect(await tableExists('order_status')).toBe(true);
    expect(await tableExists(MIGRATIONS_TABLE)).toBe(true);
  });
});
