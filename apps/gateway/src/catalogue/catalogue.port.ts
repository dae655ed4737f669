/**
 * The catalogue as the gateway needs it to price an order: the current price and currency of
 * some skus, and the prices of the paid shipping options. The simulators play it locally; a
 * real pricing service replaces it by implementing this port (CATALOGUE_URL).
 */
import type { CatalogueAnswer } from '@order-platform/domain';

export interface CataloguePort {
  /**
   * Unknown skus are absent from the answer. Shipping prices are asked for only when needed.
   * @throws CatalogueUnavailableError when the catalogue does not answer, or not sensibly
   */
  lookUp(skus: readonly string[], options: { withShipping: boolean }): Promise<CatalogueAnswer>;
}

export const CATALOGUE_PORT = Symbol('CataloguePort');

/** Nothing can be priced, so nothing is admitted: the customer retries later (503). */
export class CatalogueUnavailableError extends Error {
  constructor(reason: string) {
    super(`the catalogue is unavailable: ${reason}`);
    this.name = 'CatalogueUnavailableError';
  }
}
