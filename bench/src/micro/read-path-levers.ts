/**
 * The status read's gateway-side levers, each against what it replaced, in one process: the two
 * ways alternate in rounds and each round's cost per operation is kept, so a loaded machine
 * slows both sides alike and the median ratio stays meaningful where absolute rates do not.
 *
 *   node -r @swc-node/register bench/src/micro/read-path-levers.ts [rounds]
 *
 * Levers: a verified token remembered vs verified again (jose, HS256); the status answer kept
 * while only the clock moves (SteadyOrderResponses) vs made again from the stored view; the status answer
 * serialized from its JSON schema (fast-json-stringify, as Fastify does for the route) vs
 * JSON.stringify; an access log line batched per event-loop turn vs written synchronously to a
 * file (stdout under `npm start` is a file).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import fastJson from 'fast-json-stringify';
import {
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  mintToken,
  verifyToken,
} from '../../../apps/gateway/src/auth/tokens';
import { admittedOrderView, type OrderStatusView } from '@order-platform/domain';
import { VerifiedTokens } from '../../../apps/gateway/src/auth/verified-tokens';
import { ORDER_STATUS_SCHEMA } from '../../../apps/gateway/src/orders/order-api.schemas';
import {
  orderResponse,
  SteadyOrderResponses,
} from '../../../apps/gateway/src/orders/order-response';
import { percentile, round } from '../support/stats';

const keys = {
  jwtSecret: 'a-bench-secret-of-at-least-thirty-two-characters',
  issuer: DEFAULT_ISSUER,
  audience: DEFAULT_AUDIENCE,
};

/** The stored view behind a READY_TO_SHIP answer, its holds good for a day. */
const readyToShip = (): OrderStatusView => {
  const placedAt = '2026-11-29T20:43:28.001Z';
  const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
  return {
    ...admittedOrderView({
      orderId: '0b6f1c9e-6a53-4a63-9d55-2f0f3f1b2a11',
      customerId: 'c-bench',
      segment: 'standard',
      items: [{ sku: 'BENCH-SKU', quantity: 1, unitPriceMinor: 1999 }],
      currency: 'EUR',
      expedited: false,
      placedAt,
    }),
    stage: 'ReadyForFulfillment',
    stageEnteredAt: '2026-11-29T20:43:30.123Z',
    stageDeadline: expiresAt,
    commitments: {
      fraud: { decision: 'approved', decidedBy: 'provider', at: placedAt },
      stock: { reservationId: 'r-bench', state: 'reserved', expiresAt },
      payment: {
        authorizationId: 'a-bench',
        state: 'authorized',
        amountMinor: 1999,
        currency: 'EUR',
        expiresAt,
      },
    },
    history: [
      { stage: 'Confirmed', at: '2026-11-29T20:43:29.456Z' },
      { stage: 'ReadyForFulfillment', at: '2026-11-29T20:43:30.123Z' },
    ],
  };
};

/** A READY_TO_SHIP answer as the bench's gateway gives it (777 bytes). */
const answer = {
  orderId: '0b6f1c9e-6a53-4a63-9d55-2f0f3f1b2a11',
  status: 'READY_TO_SHIP',
  statusLabel: 'Ready to ship',
  since: '2026-11-29T20:43:30.123Z',
  delayed: false,
  delayReason: null,
  expectedBy: null,
  cancellable: true,
  items: [{ sku: 'BENCH-SKU', quantity: 1, unitPrice: 1999 }],
  shipping: 'standard',
  shippingPrice: 0,
  total: 1999,
  currency: 'EUR',
  history: [
    { status: 'RECEIVED', at: '2026-11-29T20:43:28.001Z' },
    { status: 'CONFIRMED', at: '2026-11-29T20:43:29.456Z' },
    { status: 'READY_TO_SHIP', at: '2026-11-29T20:43:30.123Z' },
  ],
  stale: false,
  links: {
    self: '/v1/orders/0b6f1c9e-6a53-4a63-9d55-2f0f3f1b2a11',
    cancel: '/v1/orders/0b6f1c9e-6a53-4a63-9d55-2f0f3f1b2a11/cancel',
  },
};

interface Lever {
  name: string;
  before: { label: string; run: (n: number) => Promise<void> };
  after: { label: string; run: (n: number) => Promise<void> };
  perRound: number;
}

async function usPerOp(run: (n: number) => Promise<void>, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  await run(n);
  return Number(process.hrtime.bigint() - start) / 1000 / n;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 15);
  const token = await mintToken({ subject: 'c-bench', roles: ['customer'], segment: 'vip' }, keys);
  const tokens = new VerifiedTokens(keys);
  const serialize = fastJson(ORDER_STATUS_SCHEMA as object);
  const stored = readyToShip();
  const storedRow = { view: stored };
  const steady = new SteadyOrderResponses();
  const logFile = join(tmpdir(), `read-path-levers-${process.pid}.log`);
  const fd = openSync(logFile, 'a');
  const line = () =>
    JSON.stringify({
      time: new Date().toISOString(),
      level: 'info',
      service: 'gateway',
      message: 'request',
      requestId: 'b6a1d2c3-0000-4000-8000-000000000000',
      method: 'GET',
      route: '/v1/orders/:orderId',
      status: 200,
      durationMs: 1.2,
    }) + '\n';
  const levers: Lever[] = [
    {
      name: 'bearer token',
      perRound: 2_000,
      before: {
        label: 'verified (jose HS256)',
        run: async (n) => {
          for (let i = 0; i < n; i += 1) await verifyToken(token, keys);
        },
      },
      after: {
        label: 'remembered',
        run: async (n) => {
          for (let i = 0; i < n; i += 1) await tokens.verify(token);
        },
      },
    },
    {
      name: 'status answer',
      perRound: 20_000,
      before: {
        label: 'made from the stored view',
        run: async (n) => {
          for (let i = 0; i < n; i += 1) orderResponse(stored, { now: new Date(), stale: false });
        },
      },
      after: {
        label: 'kept while the clock cannot change it',
        run: async (n) => {
          for (let i = 0; i < n; i += 1)
            steady.respond(storedRow, () => stored, { now: Date.now(), stale: false });
        },
      },
    },
    {
      name: 'status answer body',
      perRound: 20_000,
      before: {
        label: 'JSON.stringify',
        run: async (n) => {
          for (let i = 0; i < n; i += 1) JSON.stringify(answer);
        },
      },
      after: {
        label: 'from the schema',
        run: async (n) => {
          for (let i = 0; i < n; i += 1) serialize(answer);
        },
      },
    },
    {
      // 32 requests answered in one turn of the event loop, as under the bench's 32 connections.
      name: 'access log, 32 lines a turn',
      perRound: 200,
      before: {
        label: 'a write per line',
        run: async (n) => {
          for (let i = 0; i < n; i += 1) for (let j = 0; j < 32; j += 1) writeSync(fd, line());
        },
      },
      after: {
        label: 'one write per turn',
        run: async (n) => {
          for (let i = 0; i < n; i += 1) {
            const batch: string[] = [];
            for (let j = 0; j < 32; j += 1) batch.push(line());
            writeSync(fd, batch.join(''));
          }
        },
      },
    },
  ];
  const rows = [];
  for (const lever of levers) {
    await lever.before.run(lever.perRound); // warm up both
    await lever.after.run(lever.perRound);
    const before: number[] = [];
    const after: number[] = [];
    for (let r = 0; r < rounds; r += 1) {
      before.push(await usPerOp(lever.before.run, lever.perRound));
      after.push(await usPerOp(lever.after.run, lever.perRound));
    }
    const b = percentile(before, 50);
    const a = percentile(after, 50);
    rows.push({
      lever: lever.name,
      before: `${lever.before.label}: ${round(b)} µs`,
      after: `${lever.after.label}: ${round(a)} µs`,
      ratio: round(a / b),
    });
  }
  closeSync(fd);
  console.log(`median of ${rounds} alternating rounds, per operation; load ${loadAverage()}`);
  console.table(rows);
}

const loadAverage = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

void main();
