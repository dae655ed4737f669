/** HoldingsPort over the payment gateway's ledger and the warehouse's reservation listing. */
import type { LedgerRecord, WarehouseReservation } from '@order-platform/domain';
import { JsonHttpClient } from '../http-client';
import type { HoldingsPort } from './holdings.port';

export class HoldingsHttpAdapter implements HoldingsPort {
  private readonly payments: JsonHttpClient;
  private readonly warehouse: JsonHttpClient;

  constructor(urls: { payment: string; inventory: string }) {
    this.payments = new JsonHttpClient(urls.payment);
    this.warehouse = new JsonHttpClient(urls.inventory);
  }

  async ledgerOf(orderId: string): Promise<LedgerRecord[]> {
    const entries = await this.payments.get<
      { kind: LedgerRecord['kind']; amountMinor: number; reference: string; createdAt: string }[]
    >(`/payments/ledger?orderId=${encodeURIComponent(orderId)}`);
    return entries.map(({ kind, amountMinor, reference, createdAt }) => ({
      kind,
      amountMinor: Number(amountMinor),
      reference,
      createdAt: new Date(createdAt).toISOString(),
    }));
  }

  async reservationsOf(orderId: string): Promise<WarehouseReservation[]> {
    const reservations = await this.warehouse.get<
      { reservationId: string; state: WarehouseReservation['state']; createdAt: string }[]
    >(`/warehouse/reservations?orderId=${encodeURIComponent(orderId)}`);
    return reservations.map(({ reservationId, state, createdAt }) => ({
      reservationId,
      state,
      createdAt: new Date(createdAt).toISOString(),
    }));
  }
}
