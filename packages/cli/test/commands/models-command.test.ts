/** `cocoon models pull|list` against a local HF-like server: identity on stdout, progress on stderr, exit codes, no stack traces. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCocoonCli } from '../../src/cocoon-cli.ts';
import type { CliIo } from '../../src/cli-io.ts';
import { startModelFileServer, type ModelFileServer } from '@cocoon/test-support';

const FILE = Buffer.alloc(200_000, 0x5a);
const SHA = createHash('sha256').update(FILE).digest('hex');

function captureIo(env: Record<string, string | undefined> = {}): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (line) => out.push(line), stderr: (line) => err.push(line), env } };
}

describe('cocoon models', () => {
  let server: ModelFileServer;
  let cacheDir: string;
  before(async () => {
    server = await startModelFileServer({ files: { 'tiny.gguf': FILE } });
    cacheDir = await mkdtemp(join(tmpdir(), 'cocoon-models-cli-'));
  });
  after(async () => {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  test('pull prints the identity on stdout and plain progress lines on stderr; list shows it', async () => {
    const { io, out, err } = captureIo({ COCOON_MODELS_DIR: cacheDir });
    const code = await runCocoonCli(['models', 'pull', 'hf:acme/tiny-GGUF/tiny.gguf@v1', '--sha256', SHA, '--base-url', server.baseUrl], io);
    assert.equal(code, 0, err.join('\n'));
    assert.deepEqual(out, [`acme/tiny-GGUF/tiny@v1:${SHA}`]);
    assert.ok(err.some((line) => /^download 195\.3 KiB \/ 195\.3 KiB {2}100\.0%/.test(line)), err.join('\n'));
    assert.ok(err.some((line) => line.includes(join(cacheDir, 'acme', 'tiny-GGUF', 'v1', 'tiny.gguf')) && line.includes('sha256 verified')));
    const listed = captureIo({ COCOON_MODELS_DIR: cacheDir });
    assert.equal(await runCocoonCli(['models', 'list'], listed.io), 0);
    assert.equal(listed.out.length, 1);
    assert.match(listed.out[0]!, new RegExp(`^acme/tiny-GGUF/tiny@v1:${SHA} {2}195\\.3 KiB {2}.*tiny\\.gguf$`));
  });

  test('a hash mismatch and a missing file exit 1 with one clear line, no stack trace', async () => {
    const mismatch = captureIo();
    const code = await runCocoonCli(['models', 'pull', 'hf:acme/tiny-GGUF/tiny.gguf@v2', '--sha256', 'e'.repeat(64), '--base-url', server.baseUrl, '--cache-dir', cacheDir], mismatch.io);
    assert.equal(code, 1);
    assert.deepEqual(mismatch.out, []);
    const failure = mismatch.err.join('\n');
    assert.match(failure, /CCN_ERR_MODEL_MISMATCH/);
    assert.ok(failure.includes(SHA) && failure.includes('e'.repeat(64)));
    assert.doesNotMatch(failure, /\n\s+at /);
    const missing = captureIo();
    assert.equal(await runCocoonCli(['models', 'pull', 'hf:acme/tiny-GGUF/nope.gguf', '--base-url', server.baseUrl, '--cache-dir', cacheDir, '--retries', '0'], missing.io), 1);
    assert.match(missing.err.join('\n'), /CCN_ERR_MODEL_DOWNLOAD.*HTTP 404|HTTP 404.*CCN_ERR_MODEL_DOWNLOAD/);
  });

  test('usage errors exit 2', async () => {
    assert.equal(await runCocoonCli(['models'], captureIo().io), 2);
    assert.equal(await runCocoonCli(['models', 'fetch'], captureIo().io), 2);
    assert.equal(await runCocoonCli(['models', 'pull', 'hf:acme/x.gguf'], captureIo().io), 2);
    assert.equal(await runCocoonCli(['models', 'pull', 'hf:acme/x/y.gguf', '--sha256', 'xyz'], captureIo().io), 2);
  });
});
