/**
 * The worker's engine construction: openai → HTTP engine; llama → model identity check, then the
 * embedded engine (tiny generated GGUF, threads 1) whose status names the random-weights label.
 * Engines that cannot transcribe audio (llama, TEST ENGINE) answer it with a clear 400.
 * A llama worker whose file does not match model_identity does not start.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CocoonError, createLogger } from '@cocoon/protocol';
import { workerConfigSchema } from '../../src/config/index.ts';
import { createWorkerEngine, startTestEngine, TINY_GGUF_LABEL, writeTinyGguf } from '../../src/engine/index.ts';
import type { InferenceEngine } from '../../src/engine/index.ts';
import { startWorkerRunner } from '../../src/worker-runner.ts';
import { readText } from './engine-conformance.ts';

const quiet = createLogger('worker', { level: 'error' });

async function postAudio(engine: InferenceEngine): Promise<{ status: number; body: { error: { message: string; code: string } } }> {
  const response = await engine.forward({ path: '/v1/audio/transcriptions', method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: Buffer.from('--b--\r\n'), timeoutMs: 5000 });
  return { status: response.status, body: JSON.parse(await readText(response)) };
}

describe('createWorkerEngine', () => {
  let directory: string;
  let modelPath: string;
  let identity: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cocoon-engine-factory-'));
    modelPath = join(directory, 'tiny.gguf');
    await writeTinyGguf(modelPath, { seed: 2, vocab: [' hello'] });
    identity = `tiny-random@generated:${createHash('sha256').update(await readFile(modelPath)).digest('hex')}`;
  });
  after(() => rm(directory, { recursive: true, force: true }));

  test('openai: an HTTP engine; the status names the URL', async () => {
    const setup = await createWorkerEngine(workerConfigSchema.parse({ engine_url: 'http://127.0.0.1:9' }));
    try {
      assert.deepEqual(setup.status(), { engine: 'openai', engine_url: 'http://127.0.0.1:9', model: `test/tiny-chat@dev:${'0'.repeat(64)}`, model_label: null });
    } finally {
      await setup.engine.close();
    }
  });

  test('llama with a matching identity: serves the identity\'s base name, status says it is the tiny random GGUF, audio is refused', async () => {
    const config = workerConfigSchema.parse({ engine: 'llama', model_path: modelPath, model_identity: identity, llama_gpu: false, llama_context_size: 128, llama_sequences: 1 });
    const setup = await createWorkerEngine(config, { logger: quiet, env: { CI: '1' } });
    try {
      assert.deepEqual((await setup.engine.health()).models, ['tiny-random']);
      const status = setup.status();
      assert.equal(status.engine, 'llama');
      assert.equal(status.engine_url, null);
      assert.equal(status.model, `${identity} (${TINY_GGUF_LABEL})`);
      assert.equal(status.model_label, TINY_GGUF_LABEL);
      assert.equal((status.llama as { threads: number }).threads, 1, 'CI default: one thread');
      const audio = await postAudio(setup.engine);
      assert.equal(audio.status, 400);
      assert.equal(audio.body.error.code, 'CCN_ERR_WORKER_INVALID_REQUEST');
      assert.match(audio.body.error.message, /does not support transcription/);
    } finally {
      await setup.engine.close();
    }
  });

  test('llama with a mismatching identity fails before loading, naming both hashes; so does the runner', async () => {
    const wrong = `tiny-random@generated:${'0'.repeat(64)}`;
    const config = workerConfigSchema.parse({ engine: 'llama', model_path: modelPath, model_identity: wrong, llama_gpu: false });
    await assert.rejects(createWorkerEngine(config), (error: unknown) =>
      error instanceof CocoonError && error.code === 'CCN_ERR_MODEL_MISMATCH' && error.message.includes('0'.repeat(64)) && error.message.includes(identity.split(':')[1]!));
    await assert.rejects(startWorkerRunner(config, { logger: quiet }), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_MODEL_MISMATCH');
  });
});

test('the TEST ENGINE refuses audio transcription with a clear 400', async () => {
  const engine = await startTestEngine({ host: '127.0.0.1', port: 0 });
  try {
    const response = await fetch(`${engine.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: '--b--\r\n' });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { message: string; code: string } };
    assert.equal(body.error.code, 'CCN_ERR_WORKER_INVALID_REQUEST');
    assert.match(body.error.message, /the TEST ENGINE does not support transcription/);
  } finally {
    await engine.close();
  }
});
