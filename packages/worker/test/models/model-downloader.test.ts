/** The model downloader against a local HF-like server: cache layout, identity, resume, hashes, errors. */
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CocoonError } from '@cocoon/protocol';
import { downloadModel, listCachedModels, parseModelSource, modelSourceUrl, type DownloadProgress } from '../../src/models/index.ts';
import { startModelFileServer, type ModelFileServer } from '@cocoon/test-support';

const FILE = Buffer.alloc(300_000);
for (let index = 0; index < FILE.length; index++) FILE[index] = (index * 31 + 7) & 0xff;
const SHA = createHash('sha256').update(FILE).digest('hex');
const COMMIT = 'c'.repeat(40);
const SOURCE = parseModelSource('hf:acme/tiny-GGUF/tiny-Q8_0.gguf');

describe('downloadModel', () => {
  let server: ModelFileServer;
  let cacheDir: string;
  const target = () => join(cacheDir, 'acme', 'tiny-GGUF', 'main', 'tiny-Q8_0.gguf');

  before(async () => {
    server = await startModelFileServer({ files: { 'tiny-Q8_0.gguf': FILE, 'bad.gguf': FILE }, linkedEtag: SHA, repoCommit: COMMIT });
  });
  after(() => server.close());
  beforeEach(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'cocoon-models-'));
    server.requests.length = 0;
  });

  test('parses hf: sources and builds the resolve URL', () => {
    assert.deepEqual(parseModelSource('hf:Qwen/Qwen3-0.6B-GGUF/q/Qwen3-0.6B-Q8_0.gguf@v1.0'), { owner: 'Qwen', repo: 'Qwen3-0.6B-GGUF', file: 'q/Qwen3-0.6B-Q8_0.gguf', revision: 'v1.0' });
    assert.equal(modelSourceUrl(SOURCE), 'https://huggingface.co/acme/tiny-GGUF/resolve/main/tiny-Q8_0.gguf');
    for (const bad of ['acme/x/y.gguf', 'hf:acme/y.gguf', 'hf:acme/x/y.bin', 'hf:acme/../y.gguf', 'hf:acme/x/y.gguf@']) {
      assert.throws(() => parseModelSource(bad), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_CONFIG_INVALID', bad);
    }
  });

  test('downloads into <cache>/<owner>/<repo>/<revision>/<file>, verifies the server sha256, reports progress, then is cached', async () => {
    const progress: DownloadProgress[] = [];
    let clock = 0;
    const result = await downloadModel({ source: SOURCE, cacheDir, baseUrl: server.baseUrl, onProgress: (step) => progress.push(step), now: () => (clock += 100), token: 'secret' });
    assert.equal(result.path, target());
    assert.ok((await readFile(target())).equals(FILE));
    assert.equal(result.sha256, SHA);
    assert.equal(result.verified, true, 'checked against X-Linked-Etag');
    assert.equal(result.identity, `acme/tiny-GGUF/tiny-Q8_0@${COMMIT}:${SHA}`, 'revision = the X-Repo-Commit');
    assert.equal(existsSync(target() + '.partial'), false);
    const last = progress.at(-1)!;
    assert.deepEqual([last.received, last.total], [FILE.length, FILE.length]);
    assert.ok(last.bytesPerSecond > 0);
    assert.deepEqual(server.requests.map((request) => request.path), ['/acme/tiny-GGUF/resolve/main/tiny-Q8_0.gguf', '/cdn/tiny-Q8_0.gguf']);
    assert.equal(server.requests[0]!.authorization, 'Bearer secret');
    const listed = await listCachedModels(cacheDir);
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.record?.identity, result.identity);
    const again = await downloadModel({ source: SOURCE, cacheDir, baseUrl: server.baseUrl });
    assert.equal(again.alreadyCached, true);
    assert.equal(server.requests.length, 2, 'no second download');
  });

  test('a cut connection keeps the .partial; the next pull resumes with Range and completes', async () => {
    server.cutNextAfter(100_000);
    await assert.rejects(downloadModel({ source: SOURCE, cacheDir, baseUrl: server.baseUrl, retries: 0 }), (error: unknown) => {
      assert.ok(error instanceof CocoonError && error.code === 'CCN_ERR_MODEL_DOWNLOAD');
      assert.match(error.message, /interrupted after 100000 of 300000 bytes.*run the same command again to resume/);
      return true;
    });
    assert.equal((await stat(target() + '.partial')).size, 100_000);
    const notices: string[] = [];
    const result = await downloadModel({ source: SOURCE, cacheDir, baseUrl: server.baseUrl, onNotice: (line) => notices.push(line) });
    assert.equal(result.sha256, SHA);
    assert.ok((await readFile(target())).equals(FILE));
    assert.equal(server.requests.at(-1)!.range, 'bytes=100000-');
    assert.ok(notices.some((line) => line.includes('resuming at byte 100000')));
  });

  test('automatic retries resume within one pull', async () => {
    server.cutNextAfter(50_000);
    const result = await downloadModel({ source: SOURCE, cacheDir, baseUrl: server.baseUrl, retries: 2, retryDelayMs: 0 });
    assert.equal(result.sha256, SHA);
    assert.deepEqual(server.requests.map((request) => request.range), [undefined, undefined, 'bytes=50000-', 'bytes=50000-']);
  });

  test('a hash mismatch deletes the partial file and names both hashes', async () => {
    const wrong = 'f'.repeat(64);
    await assert.rejects(downloadModel({ source: SOURCE, cacheDir, baseUrl: server.baseUrl, expectedSha256: wrong }), (error: unknown) => {
      assert.ok(error instanceof CocoonError && error.code === 'CCN_ERR_MODEL_MISMATCH');
      assert.ok(error.message.includes(wrong) && error.message.includes(SHA), error.message);
      return true;
    });
    assert.equal(existsSync(target() + '.partial'), false);
    assert.equal(existsSync(target()), false);
  });

  test('a stale .partial larger than the file (HTTP 416) restarts from zero', async () => {
    await downloadModel({ source: SOURCE, cacheDir, baseUrl: server.baseUrl }).then(() => rm(target()));
    await rm(target() + '.cocoon.json');
    await writeFile(target() + '.partial', Buffer.alloc(FILE.length + 10));
    const result = await downloadModel({ source: SOURCE, cacheDir, baseUrl: server.baseUrl, retryDelayMs: 0 });
    assert.equal(result.sha256, SHA);
  });

  test('404 and an unreachable server are CCN_ERR_MODEL_DOWNLOAD with the URL', async () => {
    await assert.rejects(downloadModel({ source: parseModelSource('hf:acme/tiny-GGUF/missing.gguf'), cacheDir, baseUrl: server.baseUrl }), (error: unknown) =>
      error instanceof CocoonError && error.code === 'CCN_ERR_MODEL_DOWNLOAD' && /not found: .*missing\.gguf \(HTTP 404\)/.test(error.message));
    await assert.rejects(downloadModel({ source: SOURCE, cacheDir, baseUrl: 'http://127.0.0.1:9', retries: 1, retryDelayMs: 0 }), (error: unknown) =>
      error instanceof CocoonError && error.code === 'CCN_ERR_MODEL_DOWNLOAD' && /cannot reach http:\/\/127\.0\.0\.1:9\//.test(error.message));
  });
});
