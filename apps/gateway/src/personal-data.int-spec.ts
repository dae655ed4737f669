/**
 * Personal data stays out of Temporal: an order placed and delivered through the platform leaves
 * no address or name in the bytes of its workflow history (the address is kept in
 * order_personal_data and read by the fulfilment activity; every payload is encrypted), yet the
 * warehouse got the address. An operator reads the decoded history through the gateway's codec
 * endpoint (the Temporal Web UI's remote codec): only operators, CORS for the UI's origin only,
 * a codec session cookie for the UI's credentialed requests, and a tampered payload refused.
 */
import { randomUUID } from 'node:crypto';
import { type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Client as PgClient } from 'pg';
import { workflowIdForOrder } from '@order-platform/domain';
import { OrderPersonalDataStore, platformDataSource } from '@order-platform/stores';
import {
  AppsUnderTest,
  eventually,
  simulatorCall,
  suiteEnv,
  suiteTemporal,
} from '@order-platform/tools';
import { tokenFor } from './testing/test-tokens';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const UI_ORIGIN = 'http://127.0.0.1:18233';

describe('personal data and the Temporal histories', () => {
  const apps = new AppsUnderTest('personal-data');
  const sku = `SKU-PD-${randomUUID().slice(0, 8)}`;
  const marker = randomUUID().slice(0, 8);
  const address = {
    name: `Ada Lovelace ${marker}`,
    line1: `12 St James Square ${marker}`,
    line2: `Flat ${marker}`,
    city: `Marylebone${marker}`,
    postalCode: 'SW1Y 4JH',
    country: 'GB',
  };
  let gateway: string;
  let simulators: string;
  let closeTemporal: (() => Promise<void>) | undefined;
  /** Deliberately without the codec: what anyone reading Temporal's storage sees. */
  let rawTemporal: Client;
  let platformDb: PgClient;
  let operator: string;

  beforeAll(async () => {
    platformDb = new PgClient({ connectionString: suiteEnv('DATABASE_URL') });
    await platformDb.connect();
    simulators = await apps.downstream();
    gateway = await apps.start('gateway', 'gateway', { TEMPORAL_UI_URL: UI_ORIGIN });
    await simulatorCall(simulators, 'PUT', '/fulfillment/settings', {
      webhookUrl: `${gateway}/v1/webhooks/fulfillment`,
    });
    await simulatorCall(simulators, 'PUT', '/payments/settings', {});
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 100 });
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 1500,
      currency: 'EUR',
    });
    ({ client: rawTemporal, close: closeTemporal } = await suiteTemporal({ encrypted: false }));
    operator = await tokenFor('operator', 'ops-pd');
  }, 240_000);

  afterAll(async () => {
    await platformDb?.end();
    if (simulators) await simulatorCall(simulators, 'PUT', '/fulfillment/settings', {});
    await closeTemporal?.();
    await apps.stopAll();
  }, 60_000);

  async function statusOf(customer: string, orderId: string, status: string): Promise<Json> {
    const token = await tokenFor('customer', customer);
    return eventually(
      `order ${orderId} to be ${status}`,
      async () => {
        const response = await fetch(`${gateway}/v1/orders/${orderId}?consistency=strong`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await response.json()) as Json;
        return body.status === status ? body : undefined;
      },
      { timeoutMs: 120_000 },
    );
  }

  async function warehouse(shipmentId: string, action: 'dispatch' | 'deliver'): Promise<void> {
    const response = await fetch(`${simulators}/fulfillment/shipments/${shipmentId}/${action}`, {
      method: 'POST',
      headers: { 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
  }

  const codec = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway}/v1/ops/codec/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  let orderId: string;
  let history: temporal.api.history.v1.IHistory;

  it('places and delivers an order whose history bytes hold no address or name, while the warehouse got them', async () => {
    const customer = `c-${randomUUID().slice(0, 8)}`;
    const placed = await fetch(`${gateway}/v1/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await tokenFor('customer', customer)}`,
        'idempotency-key': randomUUID(),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ items: [{ sku, quantity: 1 }], shippingAddress: address }),
    });
    expect(placed.status).toBe(202);
    orderId = ((await placed.json()) as { orderId: string }).orderId;
    await statusOf(customer, orderId, 'READY_TO_SHIP');
    const [shipment] = await eventually('the shipment', async () => {
      const shipments = await simulatorCall<{ shipmentId: string; shipTo: unknown }[]>(
        simulators,
        'GET',
        `/fulfillment/shipments?orderId=${orderId}`,
      );
      return shipments.length > 0 ? shipments : undefined;
    });
    // The fulfilment activity addressed the parcel from the platform's record.
    expect(shipment!.shipTo).toEqual(address);
    await warehouse(shipment!.shipmentId, 'dispatch');
    await warehouse(shipment!.shipmentId, 'deliver');
    await statusOf(customer, orderId, 'DELIVERED');

    history = await rawTemporal.workflow.getHandle(workflowIdForOrder(orderId)).fetchHistory();
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(history.events!.length).toBeGreaterThan(20);
    for (const secret of [marker, 'Lovelace', 'St James', 'SW1Y', 'Marylebone', sku]) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
    // Every payload of the history is the codec's, but the search attributes, which the server
    // indexes (stage, dates, customer id, value, route: no personal data), the SDK's own patch
    // markers (a patch's name) and the trace context the tracing interceptor puts in headers.
    const encodings = new Map<string, Set<string>>();
    const walk = (value: unknown, path: string): void => {
      if (!value || typeof value !== 'object') return;
      const payload = value as { metadata?: Record<string, Uint8Array>; data?: Uint8Array };
      if (payload.metadata?.encoding && payload.data !== undefined) {
        const encoding = Buffer.from(payload.metadata.encoding).toString();
        encodings.set(encoding, (encodings.get(encoding) ?? new Set()).add(path));
        return;
      }
      for (const [key, child] of Object.entries(value)) {
        const named = key === 'searchAttributes' || key === 'header';
        walk(child, /^\d+$/.test(key) ? path : named ? key : path || key);
      }
    };
    walk(history.events, '');
    expect(encodings.get('binary/encrypted')?.size).toBeGreaterThan(0);
    expect([...encodings.keys()].sort()).toEqual(['binary/encrypted', 'json/plain']);
    expect([...encodings.get('json/plain')!].sort()).toEqual(
      expect.arrayContaining(['markerRecordedEventAttributes', 'searchAttributes']),
    );
    expect(
      [...encodings.get('json/plain')!].filter(
        (path) => !['header', 'markerRecordedEventAttributes', 'searchAttributes'].includes(path),
      ),
    ).toEqual([]);
    const headerFields = history.events!.flatMap((e) =>
      Object.values(e)
        .filter((attributes): attributes is { header?: { fields?: object } } => !!attributes)
        .flatMap((attributes) => Object.keys(attributes.header?.fields ?? {})),
    );
    expect(new Set(headerFields.filter((name) => name !== '_tracer-data'))).toEqual(new Set());
    const markers = history.events!.flatMap((e) => e.markerRecordedEventAttributes ?? []);
    // Patches, and the local activities that record the order's changes (their bookkeeping).
    expect(new Set(markers.map((m) => m.markerName))).toEqual(
      new Set(['core_patch', 'core_local_activity']),
    );

    // The address is the platform's, by order id; the submission (what a restart would start
    // the workflow with) does not hold it either.
    const { rows } = await platformDb.query(
      `SELECT p.shipping_address, s.placed_order
         FROM order_personal_data p JOIN order_submission s USING (order_id)
        WHERE order_id = $1`,
      [orderId],
    );
    expect(rows[0].shipping_address).toEqual(address);
    expect(rows[0].placed_order).not.toHaveProperty('shippingAddress');
  }, 240_000);

  it('decodes the history for an operator through the codec endpoint, and for nobody else', async () => {
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
    const body = {
      payloads: input.map((payload) => ({
        metadata: Object.fromEntries(
          Object.entries(payload.metadata ?? {}).map(([k, v]) => [
            k,
            Buffer.from(v).toString('base64'),
          ]),
        ),
        data: Buffer.from(payload.data!).toString('base64'),
      })),
    };
    const decoded = await codec('decode', body, { authorization: `Bearer ${operator}` });
    expect(decoded.status).toBe(200);
    const [order] = ((await decoded.json()) as Json).payloads;
    expect(Buffer.from(order.metadata.encoding, 'base64').toString()).toBe('json/plain');
    const started = JSON.parse(Buffer.from(order.data, 'base64').toString());
    expect(started).toMatchObject({ orderId, items: [{ sku, quantity: 1 }] });
    expect(started).not.toHaveProperty('shippingAddress');

    expect((await codec('decode', body)).status).toBe(401);
    const customer = await tokenFor('customer', 'c-pd');
    expect((await codec('decode', body, { authorization: `Bearer ${customer}` })).status).toBe(403);

    // A flipped bit is refused with a reason, never decoded into something else.
    const tampered = Buffer.from(body.payloads[0]!.data, 'base64');
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
    const refused = await codec(
      'decode',
      { payloads: [{ ...body.payloads[0], data: tampered.toString('base64') }] },
      { authorization: `Bearer ${operator}` },
    );
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as Json).detail).toMatch(/failed authentication/);

    const malformed = await codec(
      'decode',
      { payloads: [{ data: 'not base64!' }] },
      { authorization: `Bearer ${operator}` },
    );
    expect(malformed.status).toBe(400);

    // What the UI encodes (an operator's input) comes back encrypted and decodes again.
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') } };
    const encoded = await codec(
      'encode',
      { payloads: [{ ...plain, data: Buffer.from('"hello"').toString('base64') }] },
      { authorization: `Bearer ${operator}` },
    );
    expect(encoded.status).toBe(200);
    const roundTrip = await codec('decode', await encoded.json(), {
      authorization: `Bearer ${operator}`,
    });
    const [hello] = ((await roundTrip.json()) as Json).payloads;
    expect(Buffer.from(hello.data, 'base64').toString()).toBe('"hello"');
  }, 60_000);

  it('answers CORS for the Web UI origin only, with credentials, on the codec paths only', async () => {
    const preflight = (origin: string, path = '/v1/ops/codec/decode') =>
      fetch(`${gateway}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
    const ui = await preflight(UI_ORIGIN);
    expect(ui.status).toBe(204);
    expect(ui.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(ui.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ui.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const stranger = await preflight('https://evil.example');
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    // The rest of the API keeps its own CORS (none configured here).
    const api = await preflight(UI_ORIGIN, '/v1/orders');
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the UI decode with a codec session cookie opened by an operator, scoped and HttpOnly', async () => {
    const refused = await fetch(`${gateway}/v1/ops/codec/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor('customer', 'c-pd')}` },
    });
    expect(refused.status).toBe(403);
    const opened = await fetch(`${gateway}/v1/ops/codec/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}` },
    });
    expect(opened.status).toBe(204);
    const cookie = opened.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^op_codec_session=[A-Za-z0-9_.-]+; Path=\/v1\/ops\/codec; Max-Age=\d+/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const session = cookie.split(';')[0]!;
    const body = { payloads: [] };
    expect((await codec('decode', body, { cookie: session })).status).toBe(200);
    // The cookie is for the codec only: it authenticates nothing else.
    const elsewhere = await fetch(`${gateway}/v1/ops/backlog`, { headers: { cookie: session } });
    expect(elsewhere.status).toBe(401);
  });

  it('erases an order’s address after retention: the row stays, marked, and holds nothing', async () => {
    const db = await platformDataSource(suiteEnv('DATABASE_URL'), {
      applicationName: 'personal-data-spec',
    }).initialize();
    try {
      const store = new OrderPersonalDataStore(db);
      expect((await store.find(orderId)).state).toBe('held');
      expect(await store.erase({ orderIds: [orderId] })).toEqual([orderId]);
      expect(await store.erase({ orderIds: [orderId] })).toEqual([]);
      expect(await store.find(orderId)).toMatchObject({ state: 'erased' });
      const { rows } = await platformDb.query(
        'SELECT shipping_address FROM order_personal_data WHERE order_id = $1',
        [orderId],
      );
      expect(rows).toEqual([{ shipping_address: null }]);
    } finally {
      await db.destroy();
    }
  });
});
