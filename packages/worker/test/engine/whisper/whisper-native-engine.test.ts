/**
 * The embedded whisper.cpp engine on the real native binding, built by the worker's engine factory
 * (`engine: whisper`) on a generated tiny random-weights ggml model: it loads, checks the model
 * identity, transcribes a WAV (JSON and SSE) with the billed usage, refuses chat. Bad model files
 * (missing, a GGUF, a bad magic, a corrupt header the native loader would abort the process on, a
 * truncated file, a wrong identity) fail at start with a clear CCN_ERR error and the process stays up.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, isCocoonError } from '@cocoon/protocol';
import { workerConfigSchema } from '../../../src/config/index.ts';
import { createWorkerEngine, encodeTinyGguf } from '../../../src/engine/index.ts';
import type { WorkerEngineSetup } from '../../../src/engine/index.ts';
import { encodeWavAudio } from '../../../src/engine/whisper/index.ts';
import { readText, sseData } from '../engine-conformance.ts';
import { toneSamples, transcriptionForm, writeTinyWhisperModel } from './tiny-whisper-model.ts';

const quiet = createLogger('worker', { level: 'error' });

describe('embedded whisper.cpp engine (native, tiny generated model)', () => {
  let directory: string;
  let modelPath: string;
  let identity: string;
  let setup: WorkerEngineSetup;
  const forward = (fields: Record<string, string>) => {
    const { body, contentType } = transcriptionForm(encodeWavAudio(toneSamples(2)), { model: 'whisper-tiny-random', ...fields });
    return setup.engine.forward({ path: '/v1/audio/transcriptions', method: 'POST', headers: { 'content-type': contentType }, body, timeoutMs: 60_000 });
  };

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cocoon-whisper-'));
    modelPath = join(directory, 'ggml-tiny-random.bin');
    const file = await writeTinyWhisperModel(modelPath, { seed: 3 });
    identity = `whisper-tiny-random@generated:${createHash('sha256').update(file).digest('hex')}`;
    setup = await createWorkerEngine(workerConfigSchema.parse({ engine: 'whisper', model_path: modelPath, model_identity: identity }), { logger: quiet, env: { CI: '1' } });
  });
  after(async () => {
    await setup?.engine.close();
    await rm(directory, { recursive: true, force: true });
  });

  test('status and health name the identity and the whisper engine', async () => {
    const status = setup.status();
    assert.equal(status.engine, 'whisper');
    assert.equal(status.engine_url, null);
    assert.equal(status.model, identity);
    assert.equal((status.whisper as { threads: number }).threads, 1, 'CI default: one thread');
    assert.deepEqual(await setup.engine.health(), { ok: true, models: ['whisper-tiny-random'] });
  });

  test('a 2 s WAV is transcribed: JSON with 100 audio tokens billed, then SSE with a usage chunk', async () => {
    const response = await forward({ language: 'en', temperature: '0' });
    assert.equal(response.status, 200);
    const body = JSON.parse(await readText(response));
    assert.equal(typeof body.text, 'string');
    assert.equal(body.usage.type, 'tokens');
    assert.equal(body.usage.input_token_details.audio_tokens, 100);
    assert.equal(body.usage.output_tokens, Math.ceil(Buffer.byteLength(body.text) / 4));
    const streamed = sseData(await readText(await forward({ stream: 'true', stream_include_usage: 'true' })));
    assert.equal(streamed.at(-1), '[DONE]');
    const usage = JSON.parse(streamed.at(-2)!).usage;
    assert.equal(usage.prompt_tokens, 100);
    const stats = setup.status().whisper as { requests: number; audio_seconds: number; realtime_factor: number };
    assert.equal(stats.requests, 2);
    assert.equal(stats.audio_seconds, 4);
    assert.ok(stats.realtime_factor > 0);
  });

  test('chat is refused with "does not support"', async () => {
    const response = await setup.engine.forward({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from('{}'), timeoutMs: 1000 });
    assert.equal(response.status, 400);
    assert.match(JSON.parse(await readText(response)).error.message, /does not support chat completions/);
  });

  test('bad model files fail at start with a clear error; the process stays up', async () => {
    const good = encodeTinyGguf({ seed: 1 }).file;
    const header = Buffer.alloc(400);
    header.writeUInt32LE(0x67676d6c, 0);
    for (let offset = 4; offset < 400; offset += 4) header.writeInt32LE(0x41414141, offset);
    const files: Record<string, Buffer> = {
      'gguf.bin': good,
      'magic.bin': Buffer.from('definitely not a model'),
      'garbage-header.bin': header,
    };
    const model = await import('./tiny-whisper-model.ts');
    files['truncated.bin'] = model.encodeTinyWhisperModel().subarray(0, 1_000_000);
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(directory, name), bytes);
    const cases: Array<[string, string | undefined, string, RegExp]> = [
      ['missing.bin', undefined, 'CCN_ERR_CONFIG_INVALID', /cannot open it \(ENOENT\)/],
      ['gguf.bin', undefined, 'CCN_ERR_ENGINE_UNAVAILABLE', /GGUF file \(a llama\.cpp model\)/],
      ['magic.bin', undefined, 'CCN_ERR_ENGINE_UNAVAILABLE', /bad magic/],
      ['garbage-header.bin', undefined, 'CCN_ERR_ENGINE_UNAVAILABLE', /vocabulary of \d+ tokens/],
      ['truncated.bin', undefined, 'CCN_ERR_ENGINE_UNAVAILABLE', /does not load.*truncated or damaged/],
      [modelPath, `other@x:${'0'.repeat(64)}`, 'CCN_ERR_MODEL_MISMATCH', /./],
    ];
    for (const [file, modelIdentity, code, message] of cases) {
      const config = workerConfigSchema.parse({ engine: 'whisper', model_path: file.startsWith('/') ? file : join(directory, file), ...(modelIdentity ? { model_identity: modelIdentity } : {}) });
      await assert.rejects(createWorkerEngine(config, { logger: quiet }), (error: unknown) => {
        assert.ok(isCocoonError(error), String(error));
        assert.equal(error.code, code, `${file}: ${error.message}`);
        assert.match(error.message, message);
        return true;
      });
    }
    assert.equal((await setup.engine.health()).ok, true, 'the loaded engine is unaffected');
  });

  test('config: engine whisper needs model_path, refuses change_model_script', () => {
    assert.throws(() => workerConfigSchema.parse({ engine: 'whisper' }), /model_path is required with engine 'whisper'/);
    assert.throws(() => workerConfigSchema.parse({ engine: 'whisper', model_path: 'x.bin', change_model_script: '/bin/true' }), /embedded whisper engine cannot be switched/);
    assert.equal(workerConfigSchema.parse({ engine: 'whisper', model_path: 'x.bin', whisper_gpu: 'false' }).whisper_gpu, false);
  });
});
