// Re-adds package-lock.json entries for biome's platform binaries that this
// workplace's npm registry mirror does not serve (404). `npm install` then leaves them
// out of the lock, and `npm ci` (CI) rejects a lock that lacks optional dependencies.
// They are never installed on linux-x64 glibc, so an entry with their os/cpu is enough.
// Run after `npm install` changes the lock: node scripts/lock-platform-entries.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const biome = lock.packages['node_modules/@biomejs/biome'];
const platforms = {
  'cli-android-arm64': ['android', 'arm64'],
  'cli-android-x64': ['android', 'x64'],
  'cli-darwin-arm64': ['darwin', 'arm64'],
  'cli-darwin-x64': ['darwin', 'x64'],
  'cli-linux-arm64': ['linux', 'arm64', 'glibc'],
  'cli-linux-arm64-musl': ['linux', 'arm64', 'musl'],
  'cli-linux-x64-musl': ['linux', 'x64', 'musl'],
  'cli-win32-arm64': ['win32', 'arm64'],
  'cli-win32-x64': ['win32', 'x64'],
};
let added = 0;
for (const [name, [os, cpu, libc]] of Object.entries(platforms)) {
  const key = `node_modules/@biomejs/${name}`;
  if (lock.packages[key]) continue;
  lock.packages[key] = {
    version: biome.version,
    cpu: [cpu],
    dev: true,
    engines: { node: '>=14.21.3' },
    ...(libc ? { libc: [libc] } : {}),
    license: 'MIT OR Apache-2.0',
    optional: true,
    os: [os],
  };
  added++;
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
writeFileSync(file, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
console.log(`added ${added} lock entries`);
