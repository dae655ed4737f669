import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BusinessOutcomeError, outOfStock } from './errors';
import { HttpProblemError, JsonHttpClient, mapProblems } from './http-client';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

describe('the JSON HTTP client the downstream adapters share', () => {
  let server: Server;
  let baseUrl: string;
  let handler: Handler;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => handler(request, body, response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const reply =
    (status: number, contentType: string, body: string): Handler =>
    (_request, _body, response) => {
      response.writeHead(status, { 'content-type': contentType });
      response.end(body);
    };

  it('sends JSON with the idempotency key and returns the parsed answer', async () => {
    let seen: { method?: string; url?: string; key?: unknown; type?: unknown; body?: unknown } = {};
    handler = (request, body, response) => {
      seen = {
        method: request.method,
        url: request.url,
        key: request.headers['idempotency-key'],
        type: request.headers['content-type'],
        body: JSON.parse(body),
      };
      reply(201, 'application/json', '{"reservationId":"r-1"}')(request, body, response);
    };
    const client = new JsonHttpClient(`${baseUrl}/`);
    const answer = await client.post(
      '/warehouse/reservations',
      { orderId: 'o-1' },
      {
        idempotencyKey: 'order-o-1/reserve',
      },
    );
    expect(answer).toEqual({ reservationId: 'r-1' });
    expect(seen).toEqual({
      method: 'POST',
      url: '/warehouse/reservations',
      key: 'order-o-1/reserve',
      type: 'application/json',
      body: { orderId: 'o-1' },
    });
  });

  it('turns a problem document into an HttpProblemError with its status and type', async () => {
    handler = reply(
      409,
      'application/problem+json',
      JSON.stringify({
        type: 'urn:simulators:out-of-stock',
        title: 'Not enough stock to reserve',
        status: 409,
        detail: 'A: 3 requested, 1 available',
      }),
    );
    const error = await new JsonHttpClient(baseUrl).post('/x', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpProblemError);
    expect(error).toMatchObject({
      status: 409,
      type: 'urn:simulators:out-of-stock',
      title: 'Not enough stock to reserve',
      detail: 'A: 3 requested, 1 available',
    });
    expect((error as Error).message).toContain('A: 3 requested, 1 available');
  });

  it('reports an error that is not a problem document with its status and text', async () => {
    handler = reply(502, 'text/html', '<h1>Bad gateway</h1>');
    const error = await new JsonHttpClient(baseUrl).get('/x').catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 502,
      type: 'about:blank',
      detail: '<h1>Bad gateway</h1>',
    });
  });

  it('gives up after its deadline with a transient (plain) error', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    const error = await new JsonHttpClient(baseUrl, { timeoutMs: 100 })
      .get('/slow')
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).not.toBeInstanceOf(HttpProblemError);
    expect((error as Error).message).toMatch(/no answer within 100 ms/);
  });

  it("stops at once when the caller's signal aborts, with the caller's reason", async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    setTimeout(() => controller.abort(reason), 50);
    const error = await new JsonHttpClient(baseUrl)
      .post('/slow', {}, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
  });

  it('reports an unreachable service as a transient (plain) error', async () => {
    const error = await new JsonHttpClient('http://127.0.0.1:1').get('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(HttpProblemError);
    expect((error as Error).message).toContain('GET http://127.0.0.1:1/x');
  });

  describe('mapProblems', () => {
    const problemError = (type: string) =>
      new HttpProblemError(409, type, 'title', 'the detail', 'POST /x');

    it('turns a listed problem type into its business outcome, with the detail', () => {
      const map = mapProblems({ 'urn:simulators:out-of-stock': outOfStock });
      expect(() => map(problemError('urn:simulators:out-of-stock'))).toThrow(BusinessOutcomeError);
      expect(() => map(problemError('urn:simulators:out-of-stock'))).toThrow('the detail');
    });

    it('rethrows anything else as it is', () => {
      const map = mapProblems({ 'urn:simulators:out-of-stock': outOfStock });
      const other = problemError('urn:simulators:invalid-request');
      expect(() => map(other)).toThrow(other);
      const network = new Error('ECONNREFUSED');
      expect(() => map(network)).toThrow(network);
    });
  });
});
