#!/usr/bin/env node
// Runs every test file under packages/*/test with node's test runner (Node 20's --test
// does not expand globs, so the files are listed here explicitly).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts')) files.push(relative(root, path));
  }
};
for (const pkg of readdirSync(join(root, 'packages')).sort()) {
  const testDir = join(root, 'packages', pkg, 'test');
  try { walk(testDir); } catch { /* package without tests */ }
}
const filter = process.argv.slice(2);
const selected = filter.length ? files.filter((f) => filter.some((part) => f.includes(part))) : files;
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...selected], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
