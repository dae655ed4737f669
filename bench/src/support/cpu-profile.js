// Preloaded into an app with BENCH_CPU_PROFILE_DIR set (node refuses --cpu-prof in NODE_OPTIONS):
// profiles the process with V8's sampling profiler and writes a .cpuprofile, for Chrome DevTools
// or speedscope, on SIGUSR2 (the bench sends it before stopping the app: NestJS ends the gateway
// by re-raising SIGTERM, which skips 'exit' handlers) or else on exit. The in-process inspector
// answers synchronously, so an exit handler can still collect it.
// Node preloads this into worker threads too (the Temporal worker runs its workflows in threads):
// each thread profiles itself and writes its own file when the main thread asks over a channel,
// which needs SIGUSR2 (as the bench stops an app): on plain exit the threads are gone first.
const inspector = require('node:inspector');
const { BroadcastChannel, isMainThread, threadId } = require('node:worker_threads');
const { writeFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
const channel = new BroadcastChannel('bench-cpu-profile');
channel.unref();
let written = false;

/** `<app>-<pid>` from the main thread, `<app>-<pid>-thread<id>` from a worker thread. */
function writeProfile(name) {
  if (written) return;
  written = true;
  if (isMainThread) channel.postMessage(name);
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    const thread = isMainThread ? '' : `-thread${threadId}`;
    const file = join(process.env.BENCH_CPU_PROFILE_DIR, `${name}${thread}.cpuprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
  });
}

if (isMainThread) {
  // apps/<name>/src/main.ts -> <name>
  const name = `${basename(dirname(dirname(process.argv[1] ?? 'node')))}-${process.pid}`;
  process.on('SIGUSR2', () => writeProfile(name));
  process.on('exit', () => writeProfile(name));
} else {
  channel.onmessage = (message) => writeProfile(message.data);
}
