/** What the outside world holds for an order: the payment ledger and the warehouse's reservations. */
import type { LedgerRecord, WarehouseReservation } from '@order-platform/domain';

export interface HoldingsPort {
  ledgerOf(orderId: string): Promise<LedgerRecord[]>;
  reservationsOf(orderId: string): Promise<WarehouseReservation[]>;
}
