/**
 * The warehouse: a reservation holds stock for a while (TTL) and then lapses on its own; an
 * allocation commits it to the order. Releasing is idempotent, and releasing a lapsed or
 * unknown reservation succeeds (there is nothing left to give back).
 */
export interface StockLine {
  sku: string;
  quantity: number;
}

export interface Reservation {
  reservationId: string;
  expiresAt: string;
}

export interface InventoryPort {
  /** Side-effect free: whether every line could be reserved now (a shadow decision). */
  isAvailable(lines: StockLine[]): Promise<boolean>;
  /** @throws OutOfStockError */
  reserve(request: {
    idempotencyKey: string;
    orderId: string;
    lines: StockLine[];
    ttlMs: number;
  }): Promise<Reservation>;
  /** @throws ReservationExpiredError when the reservation lapsed before it was allocated */
  allocate(request: { idempotencyKey: string; reservationId: string }): Promise<void>;
  release(request: { idempotencyKey: string; reservationId: string }): Promise<void>;
  /** A returned parcel's lines back on hand: once per return, whatever the retries. */
  restock(request: {
    idempotencyKey: string;
    orderId: string;
    returnId: string;
    lines: StockLine[];
  }): Promise<void>;
}
