import { ApplicationFailure } from '@temporalio/common';
import { outOfStock, shipmentAlreadyDispatched } from './errors';
import { CircuitOpenError } from './fraud/circuit-breaker';
import { HttpProblemError } from './http-client';
import { portActivity, stepActivity } from './port-activity';
import { activityOf, failureOf } from './testing/activity-environment';

const inOrder = (attempt = 1) => activityOf('order-o-1', attempt);

describe('a port call as an activity', () => {
  it('calls the port with the key of the workflow step, the same on every retry', async () => {
    const keys: string[] = [];
    const reserve = stepActivity(async (request: { idempotencyKey: string; sku: string }) => {
      keys.push(request.idempotencyKey);
      return { reserved: request.sku };
    });
    expect(await inOrder(1).run(reserve, { step: 'reserve', sku: 'SKU-1' })).toEqual({
      reserved: 'SKU-1',
    });
    await inOrder(2).run(reserve, { step: 'reserve', sku: 'SKU-1' });
    expect(keys).toEqual(['order-o-1/reserve', 'order-o-1/reserve']);
  });

  it('does not pass the step name on to the port', async () => {
    const requests: unknown[] = [];
    const release = stepActivity(async (request: { idempotencyKey: string; id: string }) => {
      requests.push(request);
    });
    await inOrder().run(release, { step: 'release', id: 'res-1' });
    expect(requests).toEqual([{ idempotencyKey: 'order-o-1/release', id: 'res-1' }]);
  });

  it('turns a business outcome into a non-retryable failure of the domain type', async () => {
    const reserve = portActivity(async () => {
      throw outOfStock('SKU-1 is out of stock');
    });
    const failure = await failureOf(inOrder().run(reserve));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'OutOfStock', nonRetryable: true });

    const cancel = portActivity(async () => {
      throw shipmentAlreadyDispatched('the parcel has left');
    });
    expect(await failureOf(inOrder().run(cancel))).toMatchObject({
      type: 'ShipmentAlreadyDispatched',
      nonRetryable: true,
    });
  });

  it('does not retry into an open fraud circuit', async () => {
    const screen = portActivity(async () => {
      throw new CircuitOpenError(30_000);
    });
    expect(await failureOf(inOrder().run(screen))).toMatchObject({
      type: 'FraudCircuitOpen',
      nonRetryable: true,
    });
  });

  it('does not retry a request the downstream refused for good (4xx), but retries 408/409/429 and 5xx', async () => {
    const refusedWith = (status: number) =>
      portActivity(async () => {
        throw new HttpProblemError(status, 'urn:x:refused', 'Refused', 'no', 'POST /void');
      });
    for (const status of [400, 403, 404, 410, 422]) {
      const failure = await failureOf(inOrder().run(refusedWith(status)));
      expect(failure).toMatchObject({ type: 'DownstreamRejected', nonRetryable: true });
      expect(failure.message).toContain(`${status} urn:x:refused`);
      expect(failure.details).toEqual([{ status, problemType: 'urn:x:refused' }]);
    }
    for (const status of [408, 409, 429, 500, 503]) {
      expect(await failureOf(inOrder().run(refusedWith(status)))).toMatchObject({
        type: 'TransientFailure',
        nonRetryable: false,
      });
    }
  });

  it('retries anything else after a jittered delay that grows with the attempt', async () => {
    const publish = portActivity(async () => {
      throw new Error('broker unavailable');
    });
    const first = await failureOf(inOrder(1).run(publish));
    expect(first).toMatchObject({ type: 'TransientFailure', nonRetryable: false });
    expect(first.message).toBe('broker unavailable');
    expect(first.nextRetryDelay).toBeGreaterThanOrEqual(500);
    expect(first.nextRetryDelay).toBeLessThanOrEqual(1_000);
    const fourth = await failureOf(inOrder(4).run(publish));
    expect(fourth.nextRetryDelay).toBeGreaterThanOrEqual(4_000);
    expect(fourth.nextRetryDelay).toBeLessThanOrEqual(8_000);
  });

  it('aborts the port call when the activity is cancelled', async () => {
    const environment = inOrder();
    let aborted = false;
    const screen = stepActivity(
      (_request: { idempotencyKey: string }, signal: AbortSignal) =>
        new Promise<never>((_, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    );
    const running = environment.run(screen, { step: 'screen-order' });
    environment.cancel();
    await expect(running).rejects.toThrow();
    expect(aborted).toBe(true);
  });

  describe('a long call', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('heartbeats while it runs, and stops when it is done', async () => {
      const environment = inOrder();
      let beats = 0;
      environment.on('heartbeat', () => (beats += 1));
      let answer: (verdict: string) => void = () => undefined;
      const screen = portActivity(() => new Promise<string>((resolve) => (answer = resolve)), {
        heartbeat: true,
      });
      const running = environment.run(screen);
      jest.advanceTimersByTime(4_500);
      expect(beats).toBe(2);
      answer('approve');
      expect(await running).toBe('approve');
      jest.advanceTimersByTime(10_000);
      expect(beats).toBe(2);
    });

    it('does not heartbeat unless asked to', async () => {
      const environment = inOrder();
      let beats = 0;
      environment.on('heartbeat', () => (beats += 1));
      let answer: () => void = () => undefined;
      const reserve = portActivity(() => new Promise<void>((resolve) => (answer = resolve)));
      const running = environment.run(reserve);
      jest.advanceTimersByTime(10_000);
      answer();
      await running;
      expect(beats).toBe(0);
    });
  });
});
