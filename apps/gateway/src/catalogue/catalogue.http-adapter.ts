/**
 * CataloguePort over HTTP (`GET /catalogue/products?skus=`, `GET /catalogue/shipping-options`).
 * Every failure, a timeout, an error status or an answer that does not parse as prices, is
 * CatalogueUnavailableError: an order is never priced from a guess.
 */
import type { CatalogueAnswer, CataloguePrice, ShippingPrice } from '@order-platform/domain';
import { SHIPPING_OPTIONS } from '@order-platform/domain';
import { type CataloguePort, CatalogueUnavailableError } from './catalogue.port';

interface ProductRow extends CataloguePrice {
  sku: string;
}

const isPrice = (row: unknown): row is CataloguePrice => {
  const candidate = row as Partial<CataloguePrice> | null;
  return (
    Number.isSafeInteger(candidate?.priceMinor) &&
    (candidate!.priceMinor as number) >= 0 &&
    typeof candidate!.currency === 'string' &&
    /^[A-Z]{3}$/.test(candidate!.currency)
  );
};
const isProduct = (row: unknown): row is ProductRow =>
  isPrice(row) && typeof (row as Partial<ProductRow>).sku === 'string';
const isShippingPrice = (row: unknown): row is ShippingPrice =>
  isPrice(row) &&
  (SHIPPING_OPTIONS as readonly unknown[]).includes((row as Partial<ShippingPrice>).option);

export class CatalogueHttpAdapter implements CataloguePort {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async lookUp(
    skus: readonly string[],
    options: { withShipping: boolean },
  ): Promise<CatalogueAnswer> {
    const query = new URLSearchParams({ skus: [...new Set(skus)].join(',') });
    const [products, shipping] = await Promise.all([
      this.get(`/catalogue/products?${query}`, 'products', isProduct),
      options.withShipping
        ? this.get('/catalogue/shipping-options', 'shippingOptions', isShippingPrice)
        : [],
    ]);
    return {
      products: new Map(
        products.map(({ sku, priceMinor, currency }) => [sku, { priceMinor, currency }]),
      ),
      shipping,
    };
  }

  private async get<T>(path: string, field: string, isRow: (row: unknown) => row is T) {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new CatalogueUnavailableError(error instanceof Error ? error.message : String(error));
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new CatalogueUnavailableError(`GET ${path} answered ${response.status}`);
    }
    const body = (await response.json().catch(() => undefined)) as
      Record<string, unknown> | undefined;
    const rows = body?.[field];
    if (!Array.isArray(rows) || !rows.every(isRow)) {
      throw new CatalogueUnavailableError(`GET ${path}: not a list of prices`);
    }
    return rows;
  }
}
