/**
 * `npm start -- --scale gateway=2,worker=2,legacy-adapter=2`: several instances of an app on the
 * local stack. The first instance is the app as `npm start` always runs it (its name, port, log
 * and pid file); the k-th is `<app>-<k>`, on the app's port plus k - 1 (gateways on 3000, 3001,
 * ...), logging to `.stack/logs/<app>-<k>.log`. The stand-ins for the outside world (the
 * simulators, the sample monolith) run once.
 */
import { appPort, type PlatformApp } from './apps';

export const SCALABLE_APPS: readonly string[] = ['gateway', 'worker', 'legacy-adapter', 'facade'];
/** Enough to show an app as several; the ports of one app stay below the next app's. */
export const MAX_INSTANCES = 9;

/** Instances per app; an app not named runs once. */
export type Scale = Readonly<Record<string, number>>;

const USAGE = `--scale takes app=count[,app=count...], e.g. gateway=2,worker=2,legacy-adapter=2`;

/** Parses the option's value; absent means every app once. Throws saying what is wrong. */
export function parseScale(spec: string | undefined): Scale {
  if (spec === undefined) return {};
  if (spec.trim() === '') throw new Error(USAGE);
  const scale: Record<string, number> = {};
  for (const entry of spec.split(',').map((part) => part.trim())) {
    const match = /^([a-z][a-z-]*)=(\d{1,3})$/.exec(entry);
    if (!match) throw new Error(`--scale: "${entry}" is not app=count; ${USAGE}`);
    const [, app, count] = match as unknown as [string, string, string];
    if (!SCALABLE_APPS.includes(app)) {
      throw new Error(`--scale: ${app} does not scale; one of ${SCALABLE_APPS.join(', ')}`);
    }
    if (app in scale) throw new Error(`--scale: ${app} is named twice`);
    const instances = Number(count);
    if (instances < 1 || instances > MAX_INSTANCES) {
      throw new Error(`--scale: ${app}=${count}: from 1 to ${MAX_INSTANCES} instances`);
    }
    scale[app] = instances;
  }
  return scale;
}

/** The name of an app's k-th instance (k from 1). */
export const instanceName = (app: string, k: number): string => (k === 1 ? app : `${app}-${k}`);

/**
 * Every instance to run, in the apps' start order: the app itself first, then `<app>-2`, ... on
 * the next ports. Throws if two instances would share a port (an app's port moved next to
 * another's).
 */
export function scaledApps(
  apps: readonly PlatformApp[],
  scale: Scale,
  env: NodeJS.ProcessEnv,
): PlatformApp[] {
  const instances = apps.flatMap((app) => {
    const base = appPort(app, env);
    return Array.from({ length: scale[app.name] ?? 1 }, (_, i) =>
      i === 0 ? app : { ...app, name: instanceName(app.name, i + 1), port: base + i },
    );
  });
  const byPort = new Map<number, string>();
  for (const instance of instances) {
    const port = appPort(instance, env);
    const other = byPort.get(port);
    if (other)
      throw new Error(`--scale: ${instance.name} and ${other} would both use port ${port}`);
    byPort.set(port, instance.name);
  }
  return instances;
}

/**
 * Which instances of `app` have pid files in the state folder (`gateway.pid` is 1,
 * `gateway-2.pid` is 2, ...), whatever `--scale` started them: what `npm stop` and
 * `npm run status` look at.
 */
export function instancesOnDisk(app: string, pidFileNames: readonly string[]): number[] {
  // App names are lower-case words and hyphens: nothing in them means anything to a RegExp.
  const own = new RegExp(`^${app}(?:-([2-9]|[1-9]\\d+))?\\.pid$`);
  return pidFileNames
    .map((file) => own.exec(file))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => Number(match[1] ?? 1))
    .sort((a, b) => a - b);
}
