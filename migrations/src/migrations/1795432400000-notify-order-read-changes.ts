import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Every change to what a customer's status read answers (`order_status`, `order_submission`)
 * is announced on the channel `order_read_changed` with the order's id as payload, an empty
 * payload for a TRUNCATE (everything changed). A gateway caches status reads only while it
 * listens, and drops an order's entry when its id arrives (stores/src/order-status/
 * customer-order-cache.ts). PostgreSQL sends a notification when its transaction commits, and
 * sends one per distinct payload per transaction.
 */
export class NotifyOrderReadChanges1795432400000 implements MigrationInterface {
  name = 'NotifyOrderReadChanges1795432400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION notify_order_read_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          PERFORM pg_notify('order_read_changed', '');
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM pg_notify('order_read_changed', OLD.order_id);
        ELSE
          PERFORM pg_notify('order_read_changed', NEW.order_id);
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of ['order_status', 'order_submission']) {
      await queryRunner.query(`
        CREATE TRIGGER ${table}_read_changed AFTER INSERT OR UPDATE OR DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION notify_order_read_changed()`);
      await queryRunner.query(`
        CREATE TRIGGER ${table}_read_truncated AFTER TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION notify_order_read_changed()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['order_status', 'order_submission']) {
      await queryRunner.query(`DROP TRIGGER ${table}_read_truncated ON ${table}`);
      await queryRunner.query(`DROP TRIGGER ${table}_read_changed ON ${table}`);
    }
    await queryRunner.query('DROP FUNCTION notify_order_read_changed()');
  }
}
