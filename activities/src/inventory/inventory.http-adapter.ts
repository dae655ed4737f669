/**
 * InventoryPort over HTTP: the warehouse's reservations. 409 `out-of-stock` is OutOfStock and
 * 410 `reservation-expired` is ReservationExpired (business outcomes the saga acts on); any
 * other error is thrown as it is (asActivity: a 4xx refusal is DownstreamRejected, not retried;
 * a 5xx or a network error is retried).
 */
import { outOfStock, reservationExpired } from '../errors';
import { type HttpClientOptions, JsonHttpClient, mapProblems } from '../http-client';
import type { InventoryPort, Reservation, StockLine } from './inventory.port';

const OUT_OF_STOCK = 'urn:simulators:out-of-stock';
const RESERVATION_EXPIRED = 'urn:simulators:reservation-expired';

export class InventoryHttpAdapter implements InventoryPort {
  private readonly http: JsonHttpClient;

  constructor(baseUrl: string, options: HttpClientOptions = {}) {
    this.http = new JsonHttpClient(baseUrl, options);
  }

  async reserve(request: {
    idempotencyKey: string;
    orderId: string;
    lines: StockLine[];
    ttlMs: number;
  }): Promise<Reservation> {
    const { idempotencyKey, ...reservation } = request;
    const reserved = await this.http
      .post<Reservation>('/warehouse/reservations', reservation, { idempotencyKey })
      .catch(mapProblems({ [OUT_OF_STOCK]: outOfStock }));
    return { reservationId: reserved.reservationId, expiresAt: reserved.expiresAt };
  }

  async isAvailable(lines: StockLine[]): Promise<boolean> {
    const levels = await Promise.all(
      lines.map((line) =>
        this.http
          .get<{ available: number }>(`/warehouse/stock/${encodeURIComponent(line.sku)}`)
          // An unknown sku has nothing available, like any sku out of stock.
          .catch((error: unknown) => {
            if ((error as { status?: number }).status === 404) return { available: 0 };
            throw error;
          }),
      ),
    );
    return lines.every((line, i) => levels[i]!.available >= line.quantity);
  }

  async allocate(request: { idempotencyKey: string; reservationId: string }): Promise<void> {
    await this.http
      .post(
        `/warehouse/reservations/${encodeURIComponent(request.reservationId)}/allocate`,
        {},
        {
          idempotencyKey: request.idempotencyKey,
        },
      )
      .catch(mapProblems({ [RESERVATION_EXPIRED]: reservationExpired }));
  }

  async release(request: { idempotencyKey: string; reservationId: string }): Promise<void> {
    await this.http.post(
      `/warehouse/reservations/${encodeURIComponent(request.reservationId)}/release`,
      {},
      { idempotencyKey: request.idempotencyKey },
    );
  }

  async restock(request: {
    idempotencyKey: string;
    orderId: string;
    returnId: string;
    lines: StockLine[];
  }): Promise<void> {
    const { idempotencyKey, ...body } = request;
    await this.http.post('/warehouse/returns', body, { idempotencyKey });
  }
}
