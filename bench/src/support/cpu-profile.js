// Preloaded into an app with BENCH_CPU_PROFILE_DIR set (node refuses --cpu-prof in NODE_OPTIONS):
// profiles the process with V8's sampling profiler and writes a .cpuprofile, for Chrome DevTools
// or speedscope, on SIGUSR2 (the bench sends it before stopping the app: NestJS ends the gateway
// by re-raising SIGTERM, which skips 'exit' handlers) or else on exit. The in-process inspector
// answers synchronously, so an exit handler can still collect it.
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
let written = false;

function writeProfile() {
  if (written) return;
  written = true;
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    // apps/<name>/src/main.ts -> <name>
    const app = basename(dirname(dirname(process.argv[1] ?? 'node')));
    const file = join(process.env.BENCH_CPU_PROFILE_DIR, `${app}-${process.pid}.cpuprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
  });
}

process.on('SIGUSR2', writeProfile);
process.on('exit', writeProfile);
