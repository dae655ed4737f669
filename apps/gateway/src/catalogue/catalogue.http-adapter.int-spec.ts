/**
 * CataloguePort over HTTP against the real simulators' catalogue, and against servers that
 * answer badly: whatever goes wrong is CatalogueUnavailableError, never a guessed price.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { AppsUnderTest, findFreePort, simulatorCall } from '@order-platform/tools';
import { CatalogueHttpAdapter } from './catalogue.http-adapter';
import { CatalogueUnavailableError } from './catalogue.port';

describe('the catalogue over HTTP', () => {
  const apps = new AppsUnderTest('catalogue-adapter');
  let simulators: string;
  let bad: Server;
  let badUrl: string;

  beforeAll(async () => {
    simulators = await apps.start('simulators');
    // Answers 200 with something that is not a price list, or never answers at all.
    bad = createServer((request, response) => {
      if (request.url?.startsWith('/catalogue/shipping-options')) return;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ products: [{ sku: 'SKU-1', priceMinor: '12.50' }] }));
    });
    await new Promise<void>((resolve) => bad.listen(0, '127.0.0.1', resolve));
    badUrl = `http://127.0.0.1:${(bad.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    bad?.closeAllConnections();
    await new Promise((resolve) => bad?.close(resolve));
    await apps.stopAll();
  });

  it('reads the prices of known skus and the shipping options; unknown skus are absent', async () => {
    const sku = `SKU-AD-${randomUUID().slice(0, 8)}`;
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 4_321,
      currency: 'EUR',
    });
    const adapter = new CatalogueHttpAdapter(simulators, 2_000);
    const answer = await adapter.lookUp([sku, 'SKU-1', 'SKU-NOWHERE', sku], { withShipping: true });
    expect([...answer.products]).toEqual([
      ['SKU-1', { priceMinor: 1_250, currency: 'EUR' }],
      [sku, { priceMinor: 4_321, currency: 'EUR' }],
    ]);
    expect(answer.shipping).toContainEqual({
      option: 'expedited',
      priceMinor: 900,
      currency: 'EUR',
    });
    expect((await adapter.lookUp(['SKU-1'], { withShipping: false })).shipping).toEqual([]);
  });

  it('is unavailable when nothing listens, the answer is not a price list, or it is too slow', async () => {
    const nowhere = new CatalogueHttpAdapter(`http://127.0.0.1:${await findFreePort()}`, 2_000);
    await expect(nowhere.lookUp(['SKU-1'], { withShipping: false })).rejects.toBeInstanceOf(
      CatalogueUnavailableError,
    );
    const garbled = new CatalogueHttpAdapter(badUrl, 500);
    await expect(garbled.lookUp(['SKU-1'], { withShipping: false })).rejects.toThrow(
      /not a list of prices/,
    );
    await expect(garbled.lookUp(['SKU-1'], { withShipping: true })).rejects.toBeInstanceOf(
      CatalogueUnavailableError,
    );
  });
});
