import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Personal data of an order kept apart from its workflow (`order_personal_data`): the shipping
 * address (the recipient's name included), recorded by the gateway with the submission and read
 * by the fulfilment activity when it creates the shipment. Workflows carry the order id only, so
 * no Temporal history holds it, and `erased_at` records that it was deleted after retention
 * (the row stays, so an erased order is told apart from one that never had any).
 *
 * Submissions stored before this migration kept the address inside `placed_order`; it is moved
 * here and removed from there. Down moves it back.
 */
export class CreateOrderPersonalData1795431800000 implements MigrationInterface {
  name = 'CreateOrderPersonalData1795431800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE order_personal_data (
        order_id         text        PRIMARY KEY,
        shipping_address jsonb,
        recorded_at      timestamptz NOT NULL DEFAULT now(),
        erased_at        timestamptz,
        CONSTRAINT order_personal_data_erased_ck
          CHECK ((shipping_address IS NULL) = (erased_at IS NOT NULL))
      )`);
    // Retention sweeps go by age.
    await queryRunner.query(
      'CREATE INDEX order_personal_data_recorded_idx ON order_personal_data (recorded_at) WHERE erased_at IS NULL',
    );
    await queryRunner.query(`
      INSERT INTO order_personal_data (order_id, shipping_address, recorded_at)
      SELECT order_id, placed_order -> 'shippingAddress', placed_at
        FROM order_submission
       WHERE placed_order ? 'shippingAddress'`);
    await queryRunner.query(
      `UPDATE order_submission SET placed_order = placed_order - 'shippingAddress' WHERE placed_order ? 'shippingAddress'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE order_submission s
         SET placed_order = s.placed_order || jsonb_build_object('shippingAddress', p.shipping_address)
        FROM order_personal_data p
       WHERE p.order_id = s.order_id AND p.shipping_address IS NOT NULL`);
    await queryRunner.query('DROP TABLE order_personal_data');
  }
}
