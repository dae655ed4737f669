import { type AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { checkReadiness, HealthProblem, ReadinessProbe, startHealthServer } from './health';
import type { Logger } from './logger';

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
        kafka: { status: 'down', error: 'not answering' },
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
    const probe = new ReadinessProbe(
      [
        {
          name: 'kafka',
          check: async () => {
            if (!up) throw new Error('down');
          },
        },
      ],
      { maxAgeMs: 0 },
    );
    const server = await startHealthServer(0, probe);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      expect((await fetch(`${base}/health/ready`)).status).toBe(503);
      up = true;
      await new Promise((resolve) => setTimeout(resolve, 2));
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', checks: { kafka: { status: 'up' } } });
    } finally {
      server.close();
    }
  });

  it('keeps a dependency the process can do without at degraded (200), naming what is lost', async () => {
    const readiness = await checkReadiness([
      { name: 'postgres', check: async () => undefined },
      {
        name: 'temporal',
        check: () =>
          Promise.reject(new Error('14 UNAVAILABLE: connect ECONNREFUSED 10.1.2.3:7233')),
        withoutIt: 'orders are not started; reads are served stale',
      },
    ]);
    expect(readiness).toEqual({
      status: 'degraded',
      checks: {
        postgres: { status: 'up' },
        temporal: {
          status: 'degraded',
          error: 'not answering',
          detail: 'orders are not started; reads are served stale',
        },
      },
    });
    // Such a dependency hung reads the same, and a required one down still wins.
    const hung = await checkReadiness(
      [
        { name: 'kafka', check: () => new Promise<void>(() => undefined), withoutIt: 'no replay' },
        { name: 'postgres', check: () => Promise.reject(new Error('refused')) },
      ],
      50,
    );
    expect(hung.status).toBe('unavailable');
    expect(hung.checks.kafka).toEqual({
      status: 'degraded',
      error: 'no answer in 50 ms',
      detail: 'no replay',
    });
  });

  it('never puts the text of an exception in the public answer, only a HealthProblem', async () => {
    const secretive = [
      new Error('password authentication failed for user "op" at db-7.internal:5432'),
      Object.assign(new Error('boom'), { stack: 'Error: boom\n    at /srv/app/x.js:1:1' }),
      'getaddrinfo ENOTFOUND kafka-0.kafka.svc.cluster.local',
      { code: 'ECONNREFUSED', address: '10.0.0.9' },
    ];
    const readiness = await checkReadiness([
      ...secretive.map((thrown, i) => ({
        name: `dep${i}`,
        check: () => Promise.reject(thrown),
      })),
      { name: 'worker', check: () => Promise.reject(new HealthProblem('orders is STOPPED')) },
    ]);
    const body = JSON.stringify(readiness);
    for (const leak of ['password', 'db-7', '5432', '/srv', 'at ', 'ENOTFOUND', 'svc', '10.0.0.9'])
      expect(body).not.toContain(leak);
    expect(readiness.checks.dep0).toEqual({ status: 'down', error: 'not answering' });
    expect(readiness.checks.worker).toEqual({ status: 'down', error: 'orders is STOPPED' });
  });
});

describe('the readiness probe', () => {
  const recordingLogger = () => {
    const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    const at =
      (level: string) =>
      (message: string, fields?: Record<string, unknown>): void =>
        void lines.push({ level, message, ...(fields ? { fields } : {}) });
    const logger: Logger = {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
    };
    return { logger, lines };
  };

  it('runs the checks once for a burst of callers, and again once the answer is older than maxAgeMs', async () => {
    let runs = 0;
    const probe = new ReadinessProbe([{ name: 'postgres', check: async () => void runs++ }], {
      maxAgeMs: 100,
    });
    await Promise.all(Array.from({ length: 50 }, () => probe.readiness()));
    for (let i = 0; i < 20; i++) await probe.readiness();
    expect(runs).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await Promise.all(Array.from({ length: 50 }, () => probe.readiness()));
    expect(runs).toBe(2);
  });

  it('logs what really failed, once per change of status, and the recovery', async () => {
    const { logger, lines } = recordingLogger();
    let failing = true;
    const probe = new ReadinessProbe(
      [
        {
          name: 'temporal',
          check: async () => {
            if (failing) throw new Error('connect ECONNREFUSED 10.1.2.3:7233');
          },
          withoutIt: 'no new orders',
        },
      ],
      { maxAgeMs: 0, logger },
    );
    const answer = await probe.readiness();
    expect(JSON.stringify(answer)).not.toContain('10.1.2.3');
    await new Promise((resolve) => setTimeout(resolve, 2));
    await probe.readiness();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      message: 'readiness check failing',
      fields: { check: 'temporal', status: 'degraded', was: 'up' },
    });
    expect(String(lines[0]!.fields!.error)).toContain('10.1.2.3');
    failing = false;
    await new Promise((resolve) => setTimeout(resolve, 2));
    await probe.readiness();
    expect(lines[1]).toMatchObject({
      level: 'info',
      fields: { check: 'temporal', status: 'up', was: 'degraded' },
    });
  });

  it('exports each check status as order_platform_health_check, without running checks per scrape', async () => {
    const registry = new Registry();
    let runs = 0;
    new ReadinessProbe(
      [
        { name: 'postgres', check: async () => void runs++ },
        { name: 'kafka', check: () => Promise.reject(new Error('x')), withoutIt: 'no replay' },
      ],
      { registry, maxAgeMs: 60_000 },
    );
    const scrapes = await Promise.all(Array.from({ length: 20 }, () => registry.metrics()));
    expect(runs).toBe(1);
    const text = scrapes[19]!;
    expect(text).toContain('order_platform_health_check{check="postgres",status="up"} 1');
    expect(text).toContain('order_platform_health_check{check="kafka",status="degraded"} 1');
    expect(text).toContain('order_platform_health_check{check="kafka",status="up"} 0');
  });
});
