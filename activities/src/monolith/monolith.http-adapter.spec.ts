import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpProblemError } from '../http-client';
import { MonolithHttpAdapter } from './monolith.http-adapter';

describe('telling the monolith over its HTTP API', () => {
  let server: Server;
  let monolith: MonolithHttpAdapter;
  let seen: { url?: string; body: unknown }[];
  /** The monolith's answer: its status and problem type. */
  let answer: { status: number; type?: string };

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ url: request.url, body: JSON.parse(body) });
        const problem = answer.status >= 400;
        response.writeHead(answer.status, {
          'content-type': problem ? 'application/problem+json' : 'application/json',
        });
        response.end(
          JSON.stringify(
            problem
              ? { type: answer.type, title: 'refused', status: answer.status, detail: 'refused' }
              : { status: 'CANCELLED' },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    monolith = new MonolithHttpAdapter(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
  });

  beforeEach(() => {
    seen = [];
    answer = { status: 200 };
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('tells a failed stage on that stage’s own path, with the reason', async () => {
    for (const stage of ['inventory', 'payment', 'fulfilment'] as const) {
      expect(
        await monolith.recordOutcome({ orderId: 'L 1', stage, outcome: 'failed', reason: 'why' }),
      ).toEqual({ accepted: true });
    }
    expect(seen).toEqual([
      { url: '/orders/L%201/stock-reservation', body: { outcome: 'failed', reason: 'why' } },
      { url: '/orders/L%201/payment-authorization', body: { outcome: 'failed', reason: 'why' } },
      { url: '/orders/L%201/shipment', body: { state: 'failed', reason: 'why' } },
    ]);
  });

  it('cuts a long reason to what the monolith keeps, the same way every time', async () => {
    const reason = `createShipment failed: ${'x'.repeat(500)}`;
    for (let i = 0; i < 2; i += 1)
      await monolith.recordOutcome({
        orderId: 'L-2',
        stage: 'fulfilment',
        outcome: 'failed',
        reason,
      });
    const told = seen.map((s) => (s.body as { reason: string }).reason);
    expect(told[0]).toHaveLength(200);
    expect(told[0]).toBe(reason.slice(0, 200));
    expect(told[1]).toBe(told[0]);
  });

  it('hears a 409 as the order having moved on, and passes any other refusal on', async () => {
    const failed = {
      orderId: 'L-3',
      stage: 'inventory',
      outcome: 'failed',
      reason: 'why',
    } as const;
    answer = { status: 409, type: 'urn:legacy-monolith:invalid-transition' };
    expect(await monolith.recordOutcome(failed)).toMatchObject({ accepted: false });
    answer = { status: 404, type: 'urn:legacy-monolith:not-found' };
    await expect(monolith.recordOutcome(failed)).rejects.toBeInstanceOf(HttpProblemError);
  });
});
