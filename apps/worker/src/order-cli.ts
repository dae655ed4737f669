/**
 * Drive an order by hand on the running platform from the workflow's side: start it, send it
 * the facts the outside world would (a dispatched or delivered parcel, a review), read its
 * status. Customers go through the gateway (docs/api.md). It talks
 * to TEMPORAL_ADDRESS (default 127.0.0.1:7233) and the simulators on SIMULATORS_PORT (3400), with
 * the payload codec's PAYLOAD_CODEC_KEYS (or the keys `npm start` generated in .stack/stack.json).
 *   npm run order -- place [--segment vip] [--sku SKU-1] [--quantity 2] [--price 2500] [--customer c-1]
 *   npm run order -- status|dispatch|deliver|cancel <orderId>
 *   npm run order -- review <orderId> approve|reject
 *   npm run order -- return-received <orderId> <returnId>   (the parcel of a return is back)
 *   npm run order -- stock <sku> <onHand>        (sets stock in the simulated warehouse)
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { type CustomerSegment, type PlacedOrder, workflowIdForOrder } from '@order-platform/domain';
import {
  cancelOrderUpdate,
  manualReviewDecisionUpdate,
  orderDeliveredSignal,
  orderLifecycle,
  orderStatusQuery,
  returnReceivedSignal,
  shipmentDispatchedSignal,
} from '@order-platform/workflows';
import {
  EncryptionCodec,
  PAYLOAD_CODEC_KEYS_VARIABLE,
  temporalConnectionOptions,
} from '@order-platform/runtime';

/** The codec keys from the environment, else the local stack's. */
function codecKeys(): NodeJS.ProcessEnv {
  if (process.env[PAYLOAD_CODEC_KEYS_VARIABLE]) return process.env;
  const file = join(
    process.env.STACK_STATE_DIR ?? join(__dirname, '../../..', '.stack'),
    'stack.json',
  );
  const stack = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { env?: NodeJS.ProcessEnv })
    : {};
  return stack.env ?? {};
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    segment: { type: 'string', default: 'standard' },
    sku: { type: 'string', default: 'SKU-1' },
    quantity: { type: 'string', default: '1' },
    price: { type: 'string', default: '2500' },
    customer: { type: 'string', default: 'customer-1' },
  },
});

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE ?? 'orders';
  const [command, orderId, arg] = positionals;
  if (command === 'stock') {
    const simulators = `http://127.0.0.1:${process.env.SIMULATORS_PORT ?? 3400}`;
    const response = await fetch(`${simulators}/warehouse/stock/${orderId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ onHand: Number(arg) }),
    });
    return print(await response.json());
  }
  const connection = await Connection.connect(temporalConnectionOptions(address));
  const client = new Client({
    connection,
    dataConverter: { payloadCodecs: [EncryptionCodec.fromEnv(codecKeys())] },
  });
  try {
    if (command === 'place') {
      const order: PlacedOrder = {
        orderId: `o-${randomUUID().slice(0, 8)}`,
        customerId: values.customer!,
        segment: values.segment as CustomerSegment,
        items: [
          {
            sku: values.sku!,
            quantity: Number(values.quantity),
            unitPriceMinor: Number(values.price),
          },
        ],
        currency: 'EUR',
        expedited: false,
        placedAt: new Date().toISOString(),
      };
      await client.workflow.start(orderLifecycle, {
        taskQueue,
        workflowId: workflowIdForOrder(order.orderId),
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [order],
      });
      return print({ orderId: order.orderId, workflowId: workflowIdForOrder(order.orderId) });
    }
    if (!orderId) throw new Error('which order? (the orderId printed by `place`)');
    const handle = client.workflow.getHandle(workflowIdForOrder(orderId));
    if (command === 'dispatch') await handle.signal(shipmentDispatchedSignal, {});
    else if (command === 'deliver') await handle.signal(orderDeliveredSignal);
    else if (command === 'return-received') {
      if (!arg) throw new Error('which return? (the returnId the return request answered)');
      await handle.signal(returnReceivedSignal, { returnId: arg });
    } else if (command === 'review') {
      await handle.executeUpdate(manualReviewDecisionUpdate, {
        args: [
          {
            decision: arg === 'reject' ? 'reject' : 'approve',
            // The account running the command, not an environment variable anyone can set.
            operatorId: `cli:${userInfo().username}`,
            note: 'decided from the command line',
          },
        ],
      });
    } else if (command === 'cancel') {
      return print(
        (
          await handle.executeUpdate(cancelOrderUpdate, {
            args: [
              {
                reason: 'cancelled from the command line',
                requestedBy: `cli:${userInfo().username}`,
              },
            ],
          })
        ).customer,
      );
    } else if (command !== 'status') throw new Error(`unknown command ${command}`);
    const view = await handle.query(orderStatusQuery);
    print({
      stage: view.stage,
      customer: view.customer,
      needsAttention: view.needsAttention,
      history: view.history,
    });
  } finally {
    await connection.close();
  }
}

const print = (value: unknown): void => console.log(JSON.stringify(value, null, 2));

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
