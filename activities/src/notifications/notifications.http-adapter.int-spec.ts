/**
 * The notifier over HTTP (NotificationsPort) against its simulator, started as a process from its
 * entry point: what the saga relies on, said in business terms.
 */
import { unique, useSimulators } from '../testing/simulators';
import { NotificationsHttpAdapter } from './notifications.http-adapter';
import type { NotificationsPort } from './notifications.port';

describe('the notifications HTTP adapter against its simulator', () => {
  const simulators = useSimulators();
  const { get } = simulators;
  let notifications: NotificationsPort;

  beforeAll(() => {
    notifications = new NotificationsHttpAdapter(simulators.url);
  });

  it('tells a customer once per idempotency key, by which channel, under which id, and says when a call was a repeat', async () => {
    const orderId = unique('order');
    const customerId = unique('customer');
    const confirmed = {
      idempotencyKey: `${orderId}/notify-confirmed`,
      orderId,
      customerId,
      kind: 'confirmed' as const,
      message: 'Your order is confirmed.',
    };
    const first = await notifications.notify(confirmed);
    expect(first).toEqual({
      duplicate: false,
      notificationId: expect.stringMatching(/^ntf_/),
      channel: 'email',
    });
    expect(await notifications.notify(confirmed)).toEqual({ ...first, duplicate: true });
    await notifications.notify({
      ...confirmed,
      idempotencyKey: `${orderId}/notify-shipped`,
      kind: 'shipped',
      message: 'Your order is on its way.',
    });
    const told = await get<{ kind: string }[]>(`/notifications?customerId=${customerId}`);
    expect(told.map((n) => n.kind)).toEqual(['confirmed', 'shipped']);
  });
});
