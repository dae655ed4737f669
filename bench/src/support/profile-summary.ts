/**
 * A V8 .cpuprofile (from BENCH_CPU_PROFILE_DIR) as a short text: self time by function and by
 * package, top N of each, small enough to commit beside a result JSON (the profiles themselves
 * are megabytes).
 *
 *   node -r @swc-node/register bench/src/support/profile-summary.ts <profile> [N] [window s] [focus]
 *
 * With a window (seconds), only the busiest stretch of that length counts: the load phase; with
 * a focus (a url part such as `handle-request`, Fastify's per-request handler), the stretch
 * busiest with stacks through it. Besides self time it lists time with callees by function: what
 * a hook or a wrapper costs in all, spread over the functions it calls.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** `node_modules/@nestjs/core/…` → `@nestjs/core`; the repo's own files by their top folder. */
export function packageOf(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node (core)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + 'node_modules/'.length).split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? url);
  }
  const repo = /\/(apps\/[^/]+|[a-z-]+)\/src\//.exec(url);
  return repo ? `repo: ${repo[1]}` : url;
}

/**
 * The samples of the `windowMs` with the most time in samples that `counts` (the load phase, not
 * start-up and waiting), or all of them without a window: [first, end) sample indices.
 */
function busiestWindow(profile: CpuProfile, counts: (id: number) => boolean, windowMs?: number) {
  if (!windowMs) return { first: 0, end: profile.samples.length };
  const at: number[] = [];
  let t = 0;
  for (const delta of profile.timeDeltas) at.push((t += delta / 1000));
  let best = { first: 0, end: 0, busy: -1 };
  let first = 0;
  let busy = 0;
  for (let end = 0; end < profile.samples.length; end += 1) {
    if (counts(profile.samples[end]!)) busy += (profile.timeDeltas[end] ?? 0) / 1000;
    while (at[end]! - at[first]! > windowMs) {
      if (counts(profile.samples[first]!)) busy -= (profile.timeDeltas[first] ?? 0) / 1000;
      first += 1;
    }
    if (busy > best.busy) best = { first, end: end + 1, busy };
  }
  return best;
}

/**
 * Node ids whose stack has a frame whose url contains `focus` (e.g. `handle-request`: serving a
 * request), or every node but idle without a focus.
 */
function countedNodes(profile: CpuProfile, focus?: string): (id: number) => boolean {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  if (!focus) return (id) => byId.get(id)?.callFrame.functionName !== '(idle)';
  const counted = new Set<number>();
  const root = profile.nodes[0]!;
  const walk = (node: ProfileNode, inside: boolean) => {
    const here = inside || node.callFrame.url.includes(focus);
    if (here) counted.add(node.id);
    for (const child of node.children ?? []) walk(byId.get(child)!, here);
  };
  walk(root, false);
  return (id) => counted.has(id);
}

export function summariseProfile(
  profile: CpuProfile,
  top: number,
  windowMs?: number,
  focus?: string,
): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  const { first, end } = busiestWindow(profile, countedNodes(profile, focus), windowMs);
  const selfMs = new Map<number, number>();
  for (let index = first; index < end; index += 1) {
    const id = profile.samples[index]!;
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  }
  const total = [...selfMs.values()].reduce((sum, ms) => sum + ms, 0);
  const idle = ['(idle)', '(program)', '(garbage collector)'];
  const nameOf = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    return idle.includes(functionName) || functionName === '(root)'
      ? functionName
      : `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
  };
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const withCallees = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const { functionName, url } = byId.get(id)!.callFrame;
    const self = nameOf(id);
    byFunction.set(self, (byFunction.get(self) ?? 0) + ms);
    const pkg = idle.includes(functionName) ? functionName : packageOf(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
    if (functionName === '(idle)') continue;
    // Each function once per stack, however deep it recurses.
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const name = nameOf(at);
      if (name === '(root)' || name.startsWith('(anonymous) ') || onStack.has(name)) continue;
      onStack.add(name);
      withCallees.set(name, (withCallees.get(name) ?? 0) + ms);
    }
  }
  const table = (rows: Map<string, number>) =>
    [...rows.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => `${ms.toFixed(0).padStart(8)} ms ${pct(ms, total)}  ${name}`)
      .join('\n');
  const busy = total - idle.slice(0, 1).reduce((sum, name) => sum + (byPackage.get(name) ?? 0), 0);
  return [
    `profile: ${(total / 1000).toFixed(1)} s sampled${windowMs ? ` (the busiest ${windowMs / 1000} s window${focus ? ` through ${focus}` : ''})` : ''}, ${(busy / 1000).toFixed(1)} s not idle`,
    '',
    `self time by package (top ${top})`,
    table(byPackage),
    '',
    `self time by function (top ${top})`,
    table(byFunction),
    '',
    `time with callees by function (top ${top}, anonymous functions left out)`,
    table(withCallees),
    '',
  ].join('\n');
}

const pct = (ms: number, total: number) => `${((100 * ms) / total).toFixed(1).padStart(5)} %`;

if (require.main === module) {
  const [file, top, windowSeconds, focus] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [N] [window s] [focus]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const windowMs = windowSeconds ? Number(windowSeconds) * 1000 : undefined;
  process.stdout.write(summariseProfile(profile, Number(top ?? 25), windowMs, focus));
}
