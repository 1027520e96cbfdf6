/** Tests of LlamaEngine specifics on a generated tiny GGUF (threads 1): determinism, cached tokens, stop, limits, errors, close. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCocoonError } from '@cocoon/protocol';
import { LlamaEngine } from '../../../src/engine/llama/index.ts';
import { writeTinyGguf, TINY_GGUF_LABEL } from '../../../src/engine/gguf/index.ts';
import { readText } from '../engine-conformance.ts';

const MODEL = 'test/tiny-llama';
const NOW = 1_700_000_123_456;

describe('LlamaEngine on a tiny generated GGUF', () => {
  let directory: string;
  let engine: LlamaEngine;
  const post = async (body: object, path = '/v1/chat/completions', timeoutMs = 10_000) =>
    engine.forward({ path, method: 'POST', headers: {}, body: Buffer.from(JSON.stringify(body)), timeoutMs });
  const postJson = async (body: object, path?: string) => {
    const response = await post(body, path);
    return { status: response.status, body: JSON.parse(await readText(response)) };
  };
  const chat = (extra: object = {}) => ({ model: MODEL, messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello there' }], max_tokens: 8, temperature: 0, ...extra });

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cocoon-llama-'));
    const modelPath = join(directory, 'tiny.gguf');
    await writeTinyGguf(modelPath, { seed: 11, vocab: [' hello', ' there', ' brief'] });
    engine = await LlamaEngine.load({ modelPath, modelName: MODEL, gpu: false, threads: 1, contextSize: 128, sequences: 1, label: TINY_GGUF_LABEL, now: () => NOW });
  });
  after(async () => {
    await engine.close();
    await rm(directory, { recursive: true, force: true });
  });

  test('info, /v1/models and stats carry the label and the real setup', async () => {
    assert.equal(engine.info.label, TINY_GGUF_LABEL);
    assert.equal(engine.info.gpu, false);
    assert.equal(engine.info.sequences, 1);
    assert.equal(engine.info.chatWrapper, 'General', 'plain fallback: the tiny GGUF has no chat template');
    assert.ok(engine.info.contextSize >= 128);
    assert.equal((await postJson({}, '/v1/models')).status, 404, 'POST /v1/models is not served');
    const listed = JSON.parse(await readText(await engine.forward({ path: '/v1/models', method: 'GET', headers: {}, body: Buffer.alloc(0), timeoutMs: 1000 })));
    assert.equal(listed.data[0].id, MODEL);
    assert.equal(listed.data[0].label, TINY_GGUF_LABEL);
  });

  test('temperature 0 is deterministic, a fixed seed too; created follows the clock', async () => {
    const first = await postJson(chat());
    const second = await postJson(chat());
    assert.equal(first.body.choices[0].message.content, second.body.choices[0].message.content);
    assert.equal(first.body.created, Math.floor(NOW / 1000));
    const seeded = async () => (await postJson(chat({ temperature: 1, seed: 42 }))).body.choices[0].message.content;
    assert.equal(await seeded(), await seeded());
  });

  test('a repeated prompt reuses the KV cache: cached_tokens = prompt_tokens - 1', async () => {
    await postJson(chat({ messages: [{ role: 'user', content: 'a fresh prompt' }] }));
    const { body } = await postJson(chat({ messages: [{ role: 'user', content: 'a fresh prompt' }] }));
    assert.equal(body.usage.prompt_tokens_details.cached_tokens, body.usage.prompt_tokens - 1);
    const other = await postJson(chat({ messages: [{ role: 'user', content: 'zzz another one' }] }));
    assert.ok(other.body.usage.prompt_tokens_details.cached_tokens < other.body.usage.prompt_tokens - 1);
  });

  test('a stop string ends the answer right before it, with finish_reason stop', async () => {
    const text: string = (await postJson(chat())).body.choices[0].message.content;
    const index = [...text].findIndex((character, position) => position > 0 && character !== '\uFFFD' && text.indexOf(character) === position);
    assert.ok(index > 0, `greedy output ${JSON.stringify(text)} has a usable stop character`);
    const { body } = await postJson(chat({ stop: [text[index]] }));
    assert.equal(body.choices[0].message.content, text.slice(0, index));
    assert.equal(body.choices[0].finish_reason, 'stop');
  });

  test('completions add BOS; max_tokens 0 generates nothing', async () => {
    const { body } = await postJson({ model: MODEL, prompt: ' hello', max_tokens: 0 }, '/v1/completions');
    assert.equal(body.choices[0].text, '');
    assert.equal(body.usage.completion_tokens, 0);
    assert.equal(body.usage.prompt_tokens, 2, 'BOS + "▁hello"');
  });

  test('bad requests get OpenAI error answers', async () => {
    const cases: Array<[object, string, number, string]> = [
      [chat({ model: 'other/model' }), '/v1/chat/completions', 404, 'CCN_ERR_ROUTE_UNKNOWN_MODEL'],
      [chat({ tools: [{ type: 'retrieval' }] }), '/v1/chat/completions', 400, 'CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER'],
      [chat({ messages: [{ role: 'user', content: 'x'.repeat(400) }] }), '/v1/chat/completions', 400, 'CCN_ERR_WORKER_INVALID_REQUEST'],
      [chat({ temperature: 3 }), '/v1/chat/completions', 400, 'CCN_ERR_WORKER_INVALID_REQUEST'],
      [{ model: MODEL, prompt: [1, 2] }, '/v1/completions', 400, 'CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER'],
      [{}, '/v1/embeddings', 404, 'CCN_ERR_HTTP_NOT_FOUND'],
    ];
    for (const [body, path, status, code] of cases) {
      const answer = await postJson(body, path);
      assert.equal(answer.status, status, `${path} ${JSON.stringify(body).slice(0, 60)}`);
      assert.equal(answer.body.error.code, code);
    }
  });

  test('a request waiting for a busy sequence times out with CCN_ERR_TIMEOUT and leaves the queue', async () => {
    const stream = await post(chat({ stream: true }));
    const iterator = stream.body[Symbol.asyncIterator]();
    await iterator.next(); // the only sequence is now lent to this stream
    // The engine's deadline timer is unref'd (the worker's sockets keep the process alive); keep it alive here.
    const keepAlive = setTimeout(() => undefined, 5000);
    try {
      await assert.rejects(post(chat(), '/v1/chat/completions', 50), (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_TIMEOUT');
    } finally {
      clearTimeout(keepAlive);
    }
    assert.equal(engine.stats().waitingRequests, 0);
    let rest = '';
    for (let step = await iterator.next(); step.done !== true; step = await iterator.next()) rest += step.value.toString('utf8');
    assert.ok(rest.endsWith('data: [DONE]\n\n'));
    assert.equal(engine.stats().busySequences, 0);
  });

  test('an already aborted caller signal gives CCN_ERR_CANCELLED', async () => {
    const controller = new AbortController();
    controller.abort();
    const request = { path: '/v1/chat/completions', method: 'POST', headers: {}, body: Buffer.from(JSON.stringify(chat())), timeoutMs: 1000, signal: controller.signal };
    await assert.rejects(engine.forward(request), (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_CANCELLED');
  });

  test('stats count requests and tokens as integers', () => {
    const stats = engine.stats();
    assert.ok(stats.requests >= 8);
    for (const value of [stats.promptTokens, stats.cachedTokens, stats.completionTokens, stats.completionTokensPerSecond]) assert.ok(Number.isSafeInteger(value) && value >= 0);
  });
});

describe('LlamaEngine with the GGUF chat template, and close', () => {
  test('uses the model template when the GGUF has one; closed engine is unhealthy', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cocoon-llama-template-'));
    try {
      const modelPath = join(directory, 'templated.gguf');
      const chatTemplate = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
      await writeTinyGguf(modelPath, { seed: 2, chatTemplate });
      const templated = await LlamaEngine.load({ modelPath, modelName: 'templated', gpu: false, threads: 1, contextSize: 256, sequences: 1 });
      assert.notEqual(templated.info.chatWrapper, 'General');
      const response = await templated.forward({ path: '/v1/chat/completions', method: 'POST', headers: {}, body: Buffer.from(JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 })), timeoutMs: 5000 });
      const body = JSON.parse(await readText(response));
      assert.equal(response.status, 200);
      assert.ok(body.usage.prompt_tokens > 10, 'the template text is in the prompt');
      await templated.close();
      assert.deepEqual(await templated.health(), { ok: false, models: [] });
      const closed = await templated.forward({ path: '/v1/chat/completions', method: 'POST', headers: {}, body: Buffer.from('{}'), timeoutMs: 1000 });
      assert.equal(closed.status, 502);
      assert.equal(JSON.parse(await readText(closed)).error.code, 'CCN_ERR_ENGINE_UNAVAILABLE');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  test('a missing model file fails with CCN_ERR_ENGINE_UNAVAILABLE', async () => {
    await assert.rejects(
      LlamaEngine.load({ modelPath: join(tmpdir(), 'no-such-model.gguf'), modelName: 'x', gpu: false, threads: 1 }),
      (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_ENGINE_UNAVAILABLE',
    );
  });
});
