import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The operators' open-returns list (`OrderStatusStore.openReturns`) reads the returns inside each
 * order's status view. Most orders never have one, so a partial index over the orders whose view
 * carries returns keeps that list from reading every order the platform ever took.
 */
export class IndexOrdersWithReturns1795431600000 implements MigrationInterface {
  name = 'IndexOrdersWithReturns1795431600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE INDEX order_status_with_returns_idx ON order_status (order_id)
       WHERE jsonb_typeof(view->'returns') = 'array'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX order_status_with_returns_idx');
  }
}
