/** Tests of the TEST ENGINE through OpenAiHttpEngine, and of the engine client's error mapping. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CocoonError } from '@cocoon/protocol';
import { OpenAiHttpEngine, startTestEngine } from '../../src/engine/index.ts';
import type { EngineResponse, TestEngine } from '../../src/engine/index.ts';

const MODEL = 'test/tiny-chat';

async function readAll(response: EngineResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function post(engine: OpenAiHttpEngine, body: object | string, path = '/v1/chat/completions') {
  return engine.forward({
    path,
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'keep-alive', 'content-length': '999' },
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    timeoutMs: 5000,
  });
}

/** The `data:` payloads of an SSE body, checking `data: …\n\n` framing. */
function sseData(text: string): string[] {
  assert.ok(text.endsWith('\n\n'));
  const events = text.slice(0, -2).split('\n\n');
  return events.map((event) => {
    assert.ok(event.startsWith('data: '), `bad event ${event}`);
    return event.slice('data: '.length);
  });
}

// "one two three" + "four five" = 5 words → prompt 9, cached 3.
const messages = [
  { role: 'system', content: 'one two three' },
  { role: 'user', content: [{ type: 'text', text: ' four\nfive ' }] },
];

describe('TEST ENGINE via OpenAiHttpEngine', () => {
  let server: TestEngine;
  let engine: OpenAiHttpEngine;
  before(async () => {
    server = await startTestEngine({});
    engine = new OpenAiHttpEngine({ baseUrl: server.url, connections: 2 });
  });
  after(async () => {
    await engine.close();
    await server.close();
  });

  test('health lists the models', async () => {
    assert.deepEqual(await engine.health(), { ok: true, models: [MODEL] });
  });

  test('non-streaming chat: deterministic text and usage formula', async () => {
    const response = await post(engine, { model: MODEL, messages, max_tokens: 5 });
    assert.equal(response.status, 200);
    assert.match(response.headers['content-type'] ?? '', /application\/json/);
    const body = JSON.parse(await readAll(response));
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.model, MODEL);
    assert.equal(body.choices[0].message.content, 'alpha bravo charlie delta echo');
    assert.equal(body.choices[0].finish_reason, 'length');
    assert.deepEqual(body.usage, {
      prompt_tokens: 9,
      completion_tokens: 5,
      total_tokens: 14,
      prompt_tokens_details: { cached_tokens: 3 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  test('default completion is 16 tokens; max_completion_tokens wins over max_tokens', async () => {
    const plain = JSON.parse(await readAll(await post(engine, { model: MODEL, messages: [] })));
    assert.equal(plain.usage.completion_tokens, 16);
    assert.equal(plain.usage.completion_tokens_details.reasoning_tokens, 1);
    assert.equal(plain.usage.prompt_tokens, 4);
    assert.equal(plain.choices[0].finish_reason, 'stop');
    const capped = JSON.parse(await readAll(await post(engine, { model: MODEL, messages: [], max_tokens: 3, max_completion_tokens: 12 })));
    assert.equal(capped.usage.completion_tokens, 12);
  });

  test('streaming chat: SSE framing, usage chunk with empty choices, [DONE]', async () => {
    const response = await post(engine, { model: MODEL, messages, max_tokens: 3, stream: true, stream_options: { include_usage: true } });
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'text/event-stream');
    const data = sseData(await readAll(response));
    assert.equal(data.at(-1), '[DONE]');
    const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload));
    assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk'));
    const content = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    assert.equal(content, 'alpha bravo charlie');
    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage.total_tokens, 12);
    assert.equal(chunks.at(-2).choices[0].finish_reason, 'length');
  });

  test('streaming without include_usage sends no usage', async () => {
    const text = await readAll(await post(engine, { model: MODEL, messages, stream: true }));
    assert.equal(text.includes('"usage"'), false);
    assert.ok(text.endsWith('data: [DONE]\n\n'));
  });

  test('completions endpoint, streaming and not', async () => {
    const body = JSON.parse(await readAll(await post(engine, { model: MODEL, prompt: ['a b', 'c'], max_tokens: 2 }, '/v1/completions')));
    assert.equal(body.object, 'text_completion');
    assert.equal(body.choices[0].text, 'alpha bravo');
    assert.equal(body.usage.prompt_tokens, 7);
    const stream = sseData(await readAll(await post(engine, { model: MODEL, prompt: 'x', max_tokens: 2, stream: true, stream_options: { include_usage: true } }, '/v1/completions')));
    assert.equal(JSON.parse(stream.at(-2)!).usage.completion_tokens, 2);
  });

  test('tools produce a deterministic tool call, streamed and not', async () => {
    const tools = [
      { type: 'function', function: { name: 'noop', parameters: { type: 'object', properties: {} } } },
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } } } },
    ];
    const request = { model: MODEL, messages, tools, tool_choice: { type: 'function', function: { name: 'get_weather' } } };
    const body = JSON.parse(await readAll(await post(engine, request)));
    assert.equal(body.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(body.choices[0].message.tool_calls, [
      { id: 'call_test_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"test","days":1}' } },
    ]);
    const stream = sseData(await readAll(await post(engine, { ...request, stream: true }))).slice(0, -1).map((payload) => JSON.parse(payload));
    const args = stream.map((chunk) => chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '').join('');
    assert.equal(args, '{"city":"test","days":1}');
  });

  test('404 for unknown path, 405 for GET on a completion path, 400 for bad JSON', async () => {
    const unknown = await post(engine, {}, '/v1/embeddings');
    assert.equal(unknown.status, 404);
    await readAll(unknown);
    const wrongMethod = await engine.forward({ path: '/v1/chat/completions', method: 'GET', headers: {}, body: Buffer.alloc(0), timeoutMs: 5000 });
    assert.equal(wrongMethod.status, 405);
    await readAll(wrongMethod);
    const bad = await post(engine, '{"model":');
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(await readAll(bad)).error.code, 'invalid_json');
    const noMessages = await post(engine, { model: MODEL });
    assert.equal(noMessages.status, 400);
    await readAll(noMessages);
  });

  test('requests counts inference requests only', async () => {
    const before = server.requests;
    await readAll(await post(engine, { model: MODEL, messages: [] }));
    await engine.health();
    assert.equal(server.requests, before + 1);
  });
});

describe('TEST ENGINE benchmark mode', () => {
  test('streams exactly chunkCount content chunks of chunkBytes', async () => {
    const server = await startTestEngine({ chunkCount: 50, chunkBytes: 128 });
    const engine = new OpenAiHttpEngine({ baseUrl: server.url });
    try {
      const response = await post(engine, { model: 'Qwen/Qwen3-8B', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 8000, stream: true, stream_options: { include_usage: true } });
      const chunks = sseData(await readAll(response)).slice(0, -1).map((payload) => JSON.parse(payload));
      const contentChunks = chunks.filter((chunk) => typeof chunk.choices[0]?.delta?.content === 'string' && chunk.choices[0].delta.content.length > 0);
      assert.equal(contentChunks.length, 50);
      assert.ok(contentChunks.every((chunk) => chunk.choices[0].delta.content === '0'.repeat(128)));
      assert.equal(chunks.at(-1).model, 'Qwen/Qwen3-8B');
      assert.deepEqual(chunks.at(-1).usage, {
        prompt_tokens: 5, completion_tokens: 50, total_tokens: 55,
        prompt_tokens_details: { cached_tokens: 1 }, completion_tokens_details: { reasoning_tokens: 5 },
      });
    } finally {
      await engine.close();
      await server.close();
    }
  });

  test('chunkDelayMs streams chunks over time', async () => {
    const server = await startTestEngine({ chunkCount: 3, chunkBytes: 4, chunkDelayMs: 20 });
    const engine = new OpenAiHttpEngine({ baseUrl: server.url });
    try {
      const response = await post(engine, { model: MODEL, messages: [], stream: true });
      const arrivals: number[] = [];
      for await (const chunk of response.body) if (chunk.includes('"content":"0000"')) arrivals.push(performance.now());
      assert.ok(arrivals.length >= 2, 'chunks should arrive separately');
      assert.ok(arrivals.at(-1)! - arrivals[0]! >= 20);
    } finally {
      await engine.close();
      await server.close();
    }
  });
});

describe('OpenAiHttpEngine errors', () => {
  test('connection refused → CCN_ERR_ENGINE_UNAVAILABLE; health not ok', async () => {
    const probe = await startTestEngine({});
    const url = probe.url;
    await probe.close();
    const engine = new OpenAiHttpEngine({ baseUrl: url });
    try {
      await assert.rejects(post(engine, {}), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_ENGINE_UNAVAILABLE');
      assert.deepEqual(await engine.health(), { ok: false, models: [] });
    } finally {
      await engine.close();
    }
  });

  test('deadline before headers and during the body → CCN_ERR_TIMEOUT; caller abort → CCN_ERR_CANCELLED', async () => {
    const hanging = createServer((request, response) => {
      if (request.url === '/slow-body') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: {}\n\n');
      }
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const engine = new OpenAiHttpEngine({ baseUrl: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}` });
    const isCode = (code: string) => (error: unknown) => error instanceof CocoonError && error.code === code;
    try {
      await assert.rejects(engine.forward({ path: '/never', method: 'POST', headers: {}, body: Buffer.from('{}'), timeoutMs: 50 }), isCode('CCN_ERR_TIMEOUT'));
      const response = await engine.forward({ path: '/slow-body', method: 'POST', headers: {}, body: Buffer.from('{}'), timeoutMs: 100 });
      assert.equal(response.status, 200);
      await assert.rejects(readAll(response), isCode('CCN_ERR_TIMEOUT'));
      const controller = new AbortController();
      const pending = engine.forward({ path: '/never', method: 'POST', headers: {}, body: Buffer.from('{}'), timeoutMs: 5000, signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(pending, isCode('CCN_ERR_CANCELLED'));
    } finally {
      await engine.close().catch(() => undefined);
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});
