import { type AddressInfo } from 'node:net';
import { checkReadiness, startHealthServer } from './health';

describe('readiness', () => {
  it('is ok only when every dependency answers, and names the one that did not', async () => {
    const readiness = await checkReadiness([
      { name: 'postgres', check: async () => undefined },
      { name: 'kafka', check: async () => Promise.reject(new Error('connection refused')) },
    ]);
    expect(readiness).toEqual({
      status: 'unavailable',
      checks: {
        postgres: { status: 'up' },
        kafka: { status: 'down', error: 'connection refused' },
      },
    });
  });

  it('says degraded, naming why, when a check works but is at risk; down still wins', async () => {
    const lagging = { name: 'mirror', check: async () => ({ degraded: 'slot lagging' }) };
    expect(
      await checkReadiness([{ name: 'postgres', check: async () => undefined }, lagging]),
    ).toEqual({
      status: 'degraded',
      checks: {
        postgres: { status: 'up' },
        mirror: { status: 'degraded', error: 'slot lagging' },
      },
    });
    const down = { name: 'kafka', check: () => Promise.reject(new Error('refused')) };
    expect((await checkReadiness([lagging, down])).status).toBe('unavailable');
  });

  it("shows a check's detail beside its status, up or degraded", async () => {
    const readiness = await checkReadiness([
      { name: 'mirror', check: async () => ({ detail: 'standby' }) },
      { name: 'slot', check: async () => ({ degraded: 'slot lagging', detail: 'leader' }) },
    ]);
    expect(readiness).toEqual({
      status: 'degraded',
      checks: {
        mirror: { status: 'up', detail: 'standby' },
        slot: { status: 'degraded', error: 'slot lagging', detail: 'leader' },
      },
    });
  });

  it('reads a hung dependency as down instead of hanging the probe', async () => {
    const readiness = await checkReadiness(
      [{ name: 'temporal', check: () => new Promise<void>(() => undefined) }],
      50,
    );
    expect(readiness.checks.temporal).toEqual({ status: 'down', error: 'no answer in 50 ms' });
  });

  it('serves /health/live always and /health/ready as 503 while a dependency is down', async () => {
    let up = false;
    const server = await startHealthServer(0, [
      {
        name: 'kafka',
        check: async () => {
          if (!up) throw new Error('down');
        },
      },
    ]);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      expect((await fetch(`${base}/health/ready`)).status).toBe(503);
      up = true;
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', checks: { kafka: { status: 'up' } } });
    } finally {
      server.close();
    }
  });
});
