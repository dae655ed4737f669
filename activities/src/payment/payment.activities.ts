/** The payment context's activities, run on the payment bulkhead: the saga's money steps. */
import { stepActivity } from '../port-activity';
import type { PaymentPort } from './payment.port';

export function createPaymentActivities(ports: { payment: PaymentPort }) {
  const { payment } = ports;
  return {
    authorizePayment: stepActivity(payment.authorize.bind(payment)),
    voidAuthorization: stepActivity(payment.void.bind(payment)),
    capturePayment: stepActivity(payment.capture.bind(payment)),
    refundCapture: stepActivity(payment.refund.bind(payment)),
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
