#!/usr/bin/env node
// The README's test command. Without arguments it is the CI gate: type-check, lint, then every
// test file under packages/*/test with node's test runner; with arguments (parts of paths) it runs
// only the matching test files, for a quick loop while working. Every test has a timeout, so a
// hang fails instead of stalling CI (Node 20's --test does not expand globs: files are listed).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
/** Per test (node:test `--test-timeout`); the longest system tests take about a minute. */
const TEST_TIMEOUT_MS = 300_000;

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

const run = (label, command, args) => {
  const started = Date.now();
  process.stdout.write(`# ${label}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  process.stdout.write(`# ${label}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return result.status ?? 1;
};

const filter = process.argv.slice(2);
if (filter.length === 0) {
  const binary = (name) => join(root, 'node_modules', '.bin', name);
  if (run('type-check (tsc)', binary('tsc'), ['-p', 'tsconfig.json']) !== 0) process.exit(1);
  // The light-client page runs in browsers: its own project, with the DOM lib and no Node types.
  if (run('type-check of the light-client page (tsc)', binary('tsc'), ['-p', 'packages/light-client/page/tsconfig.json']) !== 0) process.exit(1);
  if (run('lint (eslint)', binary('eslint'), ['.']) !== 0) process.exit(1);
}
const selected = filter.length ? files.filter((f) => filter.some((part) => f.includes(part))) : files;
if (selected.length === 0) {
  process.stderr.write(`no test file matches ${filter.join(', ')}\n`);
  process.exit(1);
}
process.exit(run(`tests (${selected.length} files)`, process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`, ...selected]));
