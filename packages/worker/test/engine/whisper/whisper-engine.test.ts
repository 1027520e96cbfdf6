/**
 * WhisperEngine over a scripted runtime (a test double of the native part): the JSON answer and its
 * billed usage (through the worker's own UsageTokenCounter), the SSE stream (one delta per segment,
 * usage chunk, [DONE]), one transcription at a time in order, the deadline ending a job the
 * binding never settles, an abandoned stream stopping its job, and the 400/404 answers.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isCocoonError } from '@cocoon/protocol';
import { UsageTokenCounter } from '../../../src/accounting/usage-token-counter.ts';
import { WhisperEngine, encodeWavAudio } from '../../../src/engine/whisper/index.ts';
import type { WhisperRuntime, WhisperTranscribeOptions, WhisperTranscript } from '../../../src/engine/whisper/index.ts';
import { readText, sseData } from '../engine-conformance.ts';
import { toneSamples, transcriptionForm } from './tiny-whisper-model.ts';

interface Job {
  samples: number;
  options: WhisperTranscribeOptions;
  signal: AbortSignal;
  finish(transcript: WhisperTranscript): void;
  aborted: Promise<unknown>;
}

/** A runtime whose jobs end when the test says so (or never, like the binding after a native failure). */
function scriptedRuntime(): { runtime: WhisperRuntime; jobs: Job[]; running: () => number; released: () => boolean } {
  const jobs: Job[] = [];
  let running = 0;
  let released = false;
  const runtime: WhisperRuntime = {
    info: { gpu: false, threads: 1, loadMs: 3, multilingual: false, header: { vocabulary: 51_864, audioContext: 1500, state: 16, audioHeads: 2, audioLayers: 1, textContext: 448, textHeads: 2, textLayers: 1, mels: 80, ftype: 0, bytes: 1 } },
    transcribe(samples, options, signal) {
      running += 1;
      return new Promise<WhisperTranscript>((resolve, reject) => {
        let abortedResolve: (reason: unknown) => void = () => {};
        const aborted = new Promise<unknown>((done) => (abortedResolve = done));
        signal.addEventListener('abort', () => {
          running -= 1;
          abortedResolve(signal.reason);
          reject(signal.reason);
        }, { once: true });
        jobs.push({ samples: samples.length, options, signal, aborted, finish: (transcript) => {
          running -= 1;
          resolve(transcript);
        } });
      });
    },
    release: async () => {
      released = true;
    },
  };
  return { runtime, jobs, running: () => running, released: () => released };
}

const MODEL = 'whisper-test';
const AUDIO = encodeWavAudio(toneSamples(3));
const transcript = (text: string): WhisperTranscript => ({ text, segments: [{ text, startMs: 0, endMs: 3000 }], language: 'en' });

function post(engine: WhisperEngine, fields: Record<string, string> = {}, extra: { timeoutMs?: number; signal?: AbortSignal; path?: string; file?: Buffer } = {}) {
  const { body, contentType } = transcriptionForm(extra.file ?? AUDIO, { model: MODEL, ...fields });
  return engine.forward({ path: extra.path ?? '/v1/audio/transcriptions', method: 'POST', headers: { 'content-type': contentType }, body, timeoutMs: extra.timeoutMs ?? 10_000, ...(extra.signal ? { signal: extra.signal } : {}) });
}

async function until(check: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 500 && !check(); attempt++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(check(), 'condition reached');
}

describe('WhisperEngine', () => {
  test('json answer: the text and token usage; the worker\'s counter bills audio + prompt as prompt tokens, the text as completion', async () => {
    const script = scriptedRuntime();
    const engine = new WhisperEngine({ runtime: script.runtime, modelName: MODEL, modelPath: '/models/ggml-test.bin' });
    const answer = post(engine, { prompt: 'Cocoon', language: 'en', temperature: '0' });
    await until(() => script.jobs.length === 1);
    assert.equal(script.jobs[0]!.samples, 48_000);
    assert.deepEqual({ ...script.jobs[0]!.options }, { language: 'en', prompt: 'Cocoon', temperature: 0 });
    script.jobs[0]!.finish(transcript(' hello there'));
    const response = await answer;
    assert.equal(response.status, 200);
    assert.match(response.headers['content-type'] ?? '', /application\/json/);
    const text = await readText(response);
    assert.deepEqual(JSON.parse(text), { text: ' hello there', usage: { type: 'tokens', input_tokens: 152, input_token_details: { audio_tokens: 150, text_tokens: 2 }, output_tokens: 3, total_tokens: 155 } });
    const counter = new UsageTokenCounter({ coefficient: 1000, multipliers: { prompt: 1000, cached: 1000, completion: 1000, reasoning: 1000 }, pricePerToken: 1n });
    counter.transform(Buffer.from(text));
    counter.flush();
    assert.equal(counter.rawUsage.promptTokens, 152);
    assert.equal(counter.rawUsage.completionTokens, 3);
    const stats = engine.stats();
    assert.equal(stats.requests, 1);
    assert.equal(stats.audio_seconds, 3);
    await engine.close();
    assert.equal(script.released(), true);
  });

  test('stream: one transcription.chunk per segment batch, a stop chunk, the usage chunk, [DONE]', async () => {
    const script = scriptedRuntime();
    const engine = new WhisperEngine({ runtime: script.runtime, modelName: MODEL, modelPath: 'm.bin', now: () => 1_700_000_000_000 });
    const response = await post(engine, { stream: 'true', stream_include_usage: 'true' });
    assert.equal(response.status, 200);
    assert.match(response.headers['content-type'] ?? '', /text\/event-stream/);
    const reading = readText(response);
    await until(() => script.jobs.length === 1);
    script.jobs[0]!.options.onSegments?.([' first']);
    script.jobs[0]!.options.onSegments?.([' second', ' third']);
    script.jobs[0]!.finish(transcript(' first second third'));
    const events = sseData(await reading);
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
    for (const chunk of chunks) {
      assert.equal(chunk.object, 'transcription.chunk');
      assert.equal(chunk.model, MODEL);
      assert.equal(chunk.created, 1_700_000_000);
    }
    assert.deepEqual(chunks.slice(0, 3).map((chunk) => chunk.choices[0].delta.content), [' first', ' second', ' third']);
    assert.equal(chunks[3].choices[0].finish_reason, 'stop');
    assert.deepEqual(chunks[4].choices, []);
    assert.deepEqual(chunks[4].usage, { prompt_tokens: 150, completion_tokens: 5, total_tokens: 155 });
    await engine.close();
  });

  test('one transcription at a time, in arrival order; a waiting request whose caller gives up leaves the line', async () => {
    const script = scriptedRuntime();
    const engine = new WhisperEngine({ runtime: script.runtime, modelName: MODEL, modelPath: 'm.bin' });
    const first = post(engine, { prompt: 'one' });
    const giveUp = new AbortController();
    const second = post(engine, { prompt: 'two' }, { signal: giveUp.signal });
    const third = post(engine, { prompt: 'three' });
    await until(() => script.jobs.length === 1);
    assert.equal(engine.stats().waiting, 2);
    assert.equal(engine.stats().busy, true);
    giveUp.abort();
    await assert.rejects(second, (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_CANCELLED');
    assert.equal(script.jobs.length, 1, 'nothing started while one runs');
    script.jobs[0]!.finish(transcript(' one'));
    assert.equal((await first).status, 200);
    await until(() => script.jobs.length === 2);
    assert.equal(script.jobs[1]!.options.prompt, 'three');
    script.jobs[1]!.finish(transcript(' three'));
    assert.equal(JSON.parse(await readText(await third)).text, ' three');
    assert.equal(script.running(), 0);
    await engine.close();
  });

  test('a job the binding never settles ends at the deadline with CCN_ERR_TIMEOUT, and the next one runs', async () => {
    const script = scriptedRuntime();
    const engine = new WhisperEngine({ runtime: script.runtime, modelName: MODEL, modelPath: 'm.bin' });
    const alive = setInterval(() => {}, 1000); // the deadline timer is unref'd: keep this test's event loop up
    await assert.rejects(post(engine, {}, { timeoutMs: 50 }), (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_TIMEOUT');
    assert.equal(script.running(), 0, 'the hung job was stopped');
    const next = post(engine);
    await until(() => script.jobs.length === 2);
    script.jobs[1]!.finish(transcript(' ok'));
    assert.equal((await next).status, 200);
    assert.equal(engine.stats().failures, 1);
    clearInterval(alive);
    await engine.close();
  });

  test('leaving a stream early stops its transcription', async () => {
    const script = scriptedRuntime();
    const engine = new WhisperEngine({ runtime: script.runtime, modelName: MODEL, modelPath: 'm.bin' });
    const response = await post(engine, { stream: 'true' });
    const iterator = response.body[Symbol.asyncIterator]();
    const firstChunk = iterator.next();
    await until(() => script.jobs.length === 1);
    script.jobs[0]!.options.onSegments?.([' partial']);
    assert.match(String((await firstChunk).value), /partial/);
    await iterator.return?.(undefined);
    const reason = await script.jobs[0]!.aborted;
    assert.ok(isCocoonError(reason) && reason.code === 'CCN_ERR_CANCELLED');
    assert.equal(script.running(), 0);
    await engine.close();
  });

  test('chat and text completions: 400 "does not support"; another model: 404; bad audio: 400; the engine stays healthy', async () => {
    const script = scriptedRuntime();
    const engine = new WhisperEngine({ runtime: script.runtime, modelName: MODEL, modelPath: 'm.bin' });
    for (const path of ['/v1/chat/completions', '/v1/completions']) {
      const response = await engine.forward({ path, method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"model":"whisper-test","messages":[]}'), timeoutMs: 1000 });
      assert.equal(response.status, 400);
      const body = JSON.parse(await readText(response));
      assert.equal(body.error.code, 'CCN_ERR_WORKER_INVALID_REQUEST');
      assert.match(body.error.message, /whisper\.cpp engine does not support (chat|text) completions/);
    }
    const other = await post(engine, { model: 'someone-else' });
    assert.equal(other.status, 404);
    assert.equal(JSON.parse(await readText(other)).error.code, 'CCN_ERR_ROUTE_UNKNOWN_MODEL');
    const ogg = await post(engine, {}, { file: Buffer.concat([Buffer.from('OggS'), Buffer.alloc(64)]) });
    assert.equal(ogg.status, 400);
    const oggError = JSON.parse(await readText(ogg)).error;
    assert.equal(oggError.code, 'CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER');
    assert.equal(oggError.param, 'file');
    const get = await engine.forward({ path: '/v1/audio/transcriptions', method: 'GET', headers: {}, body: Buffer.alloc(0), timeoutMs: 1000 });
    assert.equal(get.status, 405);
    const models = JSON.parse(await readText(await engine.forward({ path: '/v1/models', method: 'GET', headers: {}, body: Buffer.alloc(0), timeoutMs: 1000 })));
    assert.deepEqual(models.data.map((entry: { id: string }) => entry.id), [MODEL]);
    assert.equal(script.jobs.length, 0, 'nothing reached the runtime');
    assert.deepEqual(await engine.health(), { ok: true, models: [MODEL] });
    await engine.close();
    assert.deepEqual(await engine.health(), { ok: false, models: [] });
  });
});
