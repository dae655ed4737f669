import { PLATFORM_APPS } from './apps';
import { instancesOnDisk, parseScale, scaledApps } from './scale';

describe('npm start -- --scale', () => {
  it('reads app=count pairs; without the option every app runs once', () => {
    expect(parseScale(undefined)).toEqual({});
    expect(parseScale('gateway=2,worker=2,legacy-adapter=2')).toEqual({
      gateway: 2,
      worker: 2,
      'legacy-adapter': 2,
    });
    expect(parseScale(' gateway=3 , facade=1 ')).toEqual({ gateway: 3, facade: 1 });
  });

  it.each([
    ['', /takes app=count/],
    ['gateway', /"gateway" is not app=count/],
    ['gateway=two', /"gateway=two" is not app=count/],
    ['gateway=2,', /"" is not app=count/],
    ['gateway=-1', /is not app=count/],
    ['gateway=2;rm -rf /', /is not app=count/],
    ['simulators=2', /simulators does not scale; one of gateway, worker, legacy-adapter, facade/],
    ['legacy-monolith=2', /legacy-monolith does not scale/],
    ['gateway=2,gateway=3', /gateway is named twice/],
    ['worker=0', /worker=0: from 1 to 9 instances/],
    ['worker=10', /worker=10: from 1 to 9 instances/],
    ['worker=99999', /is not app=count/],
  ])('refuses %j, saying why', (spec, why) => {
    expect(() => parseScale(spec)).toThrow(why);
  });

  it('runs the first instance as npm start always did, the others on the next ports', () => {
    const instances = scaledApps(PLATFORM_APPS, { gateway: 3, 'legacy-adapter': 2 }, {});
    const ports = Object.fromEntries(instances.map((a) => [a.name, a.port ?? a.defaultPort]));
    expect(ports).toEqual({
      simulators: 3400,
      'legacy-monolith': 3100,
      worker: 3300,
      'legacy-adapter': 3200,
      'legacy-adapter-2': 3201,
      gateway: 3000,
      'gateway-2': 3001,
      'gateway-3': 3002,
      facade: 3500,
    });
    // Unscaled, the very apps (and objects) npm start runs.
    expect(scaledApps(PLATFORM_APPS, {}, {})).toEqual(PLATFORM_APPS);
  });

  it('moves the extra instances with the app when its port is configured', () => {
    const gateways = scaledApps(PLATFORM_APPS, { gateway: 2 }, { GATEWAY_PORT: '4000' }).filter(
      (a) => a.name.startsWith('gateway'),
    );
    expect(gateways.map((a) => [a.name, a.port])).toEqual([
      ['gateway', undefined],
      ['gateway-2', 4001],
    ]);
  });

  it('refuses instances that would share a port with another app', () => {
    expect(() => scaledApps(PLATFORM_APPS, { gateway: 2 }, { GATEWAY_PORT: '3099' })).toThrow(
      'gateway-2 and legacy-monolith would both use port 3100',
    );
  });

  it("finds every instance's pid file for npm stop and status, and nobody else's", () => {
    const files = [
      'gateway.pid',
      'gateway-2.pid',
      'gateway-10.pid',
      'legacy-adapter-2.pid',
      'legacy-monolith.pid',
      'kafka.pid',
      'gateway-0.pid',
      'gateway-x.pid',
      'gateway.pid.old',
    ];
    expect(instancesOnDisk('gateway', files)).toEqual([1, 2, 10]);
    expect(instancesOnDisk('legacy-adapter', files)).toEqual([2]);
    expect(instancesOnDisk('legacy-monolith', files)).toEqual([1]);
    expect(instancesOnDisk('worker', files)).toEqual([]);
  });
});
