/**
 * The notifier: it delivers a message to a customer and records it, so tests can read exactly
 * what each customer was told, in order. A call repeated with the same Idempotency-Key delivers
 * nothing new: it answers 200 with the first notification's id and channel and `duplicate: true`
 * (instead of replaying the 201 as it was), so the caller can tell a retry from a first delivery.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db';
import { idempotent } from '../http/idempotency';
import { Input, queryParam } from '../http/input';
import { ok, route, type Route } from '../http/router';

export function notifierRoutes(db: Db): Route[] {
  return [
    route('POST', '/notifications', async (request) => {
      const input = Input.of(request.body);
      const notification = {
        orderId: input.string('orderId'),
        customerId: input.string('customerId'),
        kind: input.string('kind'),
        message: input.string('message'),
      };
      return idempotent(
        db,
        request,
        async (tx) => {
          const notificationId = `ntf_${randomUUID()}`;
          await tx.query(
            `INSERT INTO notifications (id, order_id, customer_id, kind, message)
             VALUES ($1, $2, $3, $4, $5)`,
            [
              notificationId,
              notification.orderId,
              notification.customerId,
              notification.kind,
              notification.message,
            ],
          );
          // Customers are told by e-mail here; a real notifier says which channel it used.
          return ok({ notificationId, channel: 'email', duplicate: false }, 201);
        },
        {
          replay: (stored) =>
            stored.status === 201
              ? ok({ ...(stored.body as object), duplicate: true }, 200)
              : stored,
        },
      );
    }),
    route('GET', '/notifications', async (request) => {
      const [name, value] = queryParam(request, 'customerId', 'orderId');
      const column = name === 'customerId' ? 'customer_id' : 'order_id';
      const { rows } = await db.query(
        `SELECT id AS "notificationId", order_id AS "orderId", customer_id AS "customerId", kind,
                message, sent_at AS "sentAt"
         FROM notifications WHERE ${column} = $1 ORDER BY sequence`,
        [value],
      );
      return ok(rows);
    }),
  ];
}
