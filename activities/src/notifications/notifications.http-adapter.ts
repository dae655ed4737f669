/**
 * NotificationsPort over HTTP: the notifier delivers once per idempotency key and says whether
 * this call was a repeat (`duplicate: true`), which the activity passes on, with its id for the
 * notification and the channel it used (`unspecified` when it does not say).
 */
import type { NotificationKind } from '@order-platform/domain';
import { type HttpClientOptions, JsonHttpClient } from '../http-client';
import type { NotificationsPort } from './notifications.port';

export class NotificationsHttpAdapter implements NotificationsPort {
  private readonly http: JsonHttpClient;

  constructor(baseUrl: string, options: HttpClientOptions = {}) {
    this.http = new JsonHttpClient(baseUrl, options);
  }

  async notify(request: {
    idempotencyKey: string;
    orderId: string;
    customerId: string;
    kind: NotificationKind;
    message: string;
  }): Promise<{ duplicate: boolean; notificationId: string; channel: string }> {
    const { idempotencyKey, ...notification } = request;
    const answer = await this.http.post<{
      duplicate: boolean;
      notificationId: string;
      channel?: string;
    }>('/notifications', notification, { idempotencyKey });
    return {
      duplicate: answer.duplicate,
      notificationId: answer.notificationId,
      channel: answer.channel ?? 'unspecified',
    };
  }
}
