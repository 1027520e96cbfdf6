// Package boundaries of the workspace: every package declares what its sources import (no hoisting
// luck), workspace dependencies flow one way (protocol ← attestation, ton ← runners ← cli), no test
// reaches into another package's folders, and the browser-bound client loads no emulator or native
// module when imported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const packagesDir = join(root, 'packages');

interface PackageJson { name: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> }
const readJson = (path: string): PackageJson => JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
const rootPackage = readJson(join(root, 'package.json'));
const packageDirs = readdirSync(packagesDir).filter((name) => statSync(join(packagesDir, name)).isDirectory()).sort();

/** Which workspace packages each layer may depend on (the one-way flow of the architecture). */
const ALLOWED_WORKSPACE_DEPENDENCIES: Record<string, readonly string[]> = {
  '@cocoon/protocol': [],
  '@cocoon/attestation': ['@cocoon/protocol'],
  '@cocoon/ton': ['@cocoon/protocol'],
  '@cocoon/client': ['@cocoon/protocol', '@cocoon/attestation', '@cocoon/ton'],
  '@cocoon/proxy': ['@cocoon/protocol', '@cocoon/attestation', '@cocoon/ton'],
  '@cocoon/worker': ['@cocoon/protocol', '@cocoon/attestation', '@cocoon/ton'],
  '@cocoon/key-manager': ['@cocoon/protocol', '@cocoon/attestation', '@cocoon/ton'],
  '@cocoon/sdk': ['@cocoon/protocol', '@cocoon/attestation'],
  '@cocoon/light-client': ['@cocoon/protocol', '@cocoon/attestation', '@cocoon/sdk'],
  '@cocoon/test-support': ['@cocoon/protocol', '@cocoon/attestation'],
  '@cocoon/cli': ['@cocoon/protocol', '@cocoon/attestation', '@cocoon/ton', '@cocoon/client', '@cocoon/proxy', '@cocoon/worker', '@cocoon/key-manager', '@cocoon/sdk', '@cocoon/light-client'],
};

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try { entries = readdirSync(dir); } catch { return []; }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(name) ? [path] : [];
  });
}

/** Bare specifiers (package names) a file imports statically, dynamically with a literal, or re-exports. */
function importedPackages(text: string): string[] {
  const specifiers = [...text.matchAll(/(?:^|\s)(?:import|export)\s[^'";]*?from\s+'([^']+)'|(?:^|\s)import\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gm)]
    .map((match) => match[1] ?? match[2] ?? match[3] ?? '');
  return specifiers
    .filter((specifier) => specifier !== '' && !specifier.startsWith('.') && !specifier.startsWith('node:') && !builtinModules.includes(specifier))
    .map((specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!));
}

const packages = packageDirs.map((dir) => ({ dir, json: readJson(join(packagesDir, dir, 'package.json')) }));

test('every package declares the packages its sources import', () => {
  const missing: string[] = [];
  for (const { dir, json } of packages) {
    const runtime = new Set([json.name, ...Object.keys(json.dependencies ?? {})]);
    const development = new Set([...runtime, ...Object.keys(json.devDependencies ?? {}), ...Object.keys(rootPackage.devDependencies ?? {})]);
    for (const [folder, allowed] of [['src', runtime], ['bin', runtime], ['build', runtime], ['page', runtime], ['test', development], ['bench', development], ['scripts', development]] as const) {
      for (const file of sourceFiles(join(packagesDir, dir, folder))) {
        for (const name of importedPackages(readFileSync(file, 'utf8'))) {
          if (!allowed.has(name)) missing.push(`${relative(root, file)} imports ${name}, not declared in packages/${dir}/package.json`);
        }
      }
    }
  }
  assert.deepEqual([...new Set(missing)], []);
});

test('workspace dependencies flow one way; nothing but the CLI depends on a runner', () => {
  for (const { json } of packages) {
    const allowed = ALLOWED_WORKSPACE_DEPENDENCIES[json.name];
    assert.ok(allowed, `${json.name} has no place in the layer table of this test`);
    for (const name of Object.keys(json.dependencies ?? {}).filter((dependency) => dependency.startsWith('@cocoon/'))) {
      assert.ok(allowed.includes(name), `${json.name} must not depend on ${name}`);
    }
  }
});

test('no file reaches into another package by a relative path', () => {
  const offenders: string[] = [];
  for (const { dir } of packages) {
    for (const file of sourceFiles(join(packagesDir, dir))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/from\s+'((?:\.\.\/)+[^']*)'|import\(\s*'((?:\.\.\/)+[^']*)'\s*\)/g)) {
        const target = relative(packagesDir, join(file, '..', match[1] ?? match[2] ?? ''));
        if (!target.startsWith(`${dir}/`)) offenders.push(`${relative(root, file)} → ${match[1] ?? match[2]}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test('importing @cocoon/client loads no emulator or native module', () => {
  const hooks = fileURLToPath(new URL('./fixtures/record-loaded-packages.mjs', import.meta.url));
  const result = spawnSync(process.execPath, ['--import', hooks, '--import', 'tsx', '-e', "await import('@cocoon/client')"], { cwd: root, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const loaded = new Set([...result.stderr.matchAll(/^LOADED (\S+)$/gm)].map((match) => match[1]!));
  assert.ok(loaded.has('zod'), `the recorder saw the client's own dependencies: ${[...loaded].join(', ')}`);
  for (const heavy of ['@ton/sandbox', '@ton/tolk-js', 'lmdb', 'node-llama-cpp', 'undici']) assert.ok(!loaded.has(heavy), `@cocoon/client loaded ${heavy}`);
});
