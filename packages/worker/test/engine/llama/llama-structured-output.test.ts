/**
 * Tests of the llama engine's tool calls, JSON output, n, logprobs and refusals on a generated
 * tiny GGUF (random weights, threads 1): grammars keep the output well-formed even so; the
 * tools and tool results reach the prompt in the template's syntax; refusals carry table codes.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlamaEngine } from '../../../src/engine/llama/index.ts';
import { writeTinyGguf, TINY_GGUF_LABEL } from '../../../src/engine/gguf/index.ts';
import { readText, sseData, CONFORMANCE_TOOLS } from '../engine-conformance.ts';

const MODEL = 'test/tiny-llama';
const question = [{ role: 'user', content: 'What is the weather in Paris?' }];

describe('LlamaEngine tool calls and structured output (tiny generated GGUF)', () => {
  let directory: string;
  let engine: LlamaEngine;
  const post = async (body: object, path = '/v1/chat/completions') => {
    const response = await engine.forward({ path, method: 'POST', headers: {}, body: Buffer.from(JSON.stringify({ model: MODEL, temperature: 0, ...body })), timeoutMs: 30_000 });
    return { status: response.status, text: await readText(response) };
  };
  const postJson = async (body: object, path?: string) => {
    const { status, text } = await post(body, path);
    return { status, body: JSON.parse(text) };
  };

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cocoon-llama-tools-'));
    const modelPath = join(directory, 'tiny.gguf');
    await writeTinyGguf(modelPath, { seed: 5, vocab: [' weather', ' Paris'], contextLength: 2048 });
    engine = await LlamaEngine.load({ modelPath, modelName: MODEL, gpu: false, threads: 1, contextSize: 2048, sequences: 1, label: TINY_GGUF_LABEL });
  });
  after(async () => {
    await engine.close();
    await rm(directory, { recursive: true, force: true });
  });

  test('the tools are documented in the prompt; the forced call is billed as completion tokens', async () => {
    const plain = await postJson({ messages: question, max_tokens: 1 });
    const before = engine.stats();
    const called = await postJson({ messages: question, tools: CONFORMANCE_TOOLS, tool_choice: 'required', max_tokens: 120 });
    const after = engine.stats();
    assert.ok(called.body.usage.prompt_tokens > plain.body.usage.prompt_tokens + 100, 'function documentation is in the prompt');
    const call = called.body.choices[0].message.tool_calls[0];
    assert.equal(typeof JSON.parse(call.function.arguments), 'object');
    // The call prefix, name and arguments are completion tokens, and the engine counted exactly what it reported.
    assert.ok(called.body.usage.completion_tokens >= call.function.arguments.length / 4 + call.function.name.length / 4);
    assert.equal(after.completionTokens - before.completionTokens, called.body.usage.completion_tokens);
  });

  test('a tool result reaches the prompt: the follow-up prompt is longer than the question', async () => {
    const withCall = [
      ...question,
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temperature_c": 21, "sky": "clear and sunny all day"}' },
    ];
    const asked = await postJson({ messages: question, tools: CONFORMANCE_TOOLS, tool_choice: 'none', max_tokens: 1 });
    const followUp = await postJson({ messages: withCall, tools: CONFORMANCE_TOOLS, tool_choice: 'none', max_tokens: 1 });
    assert.equal(followUp.status, 200);
    const added = followUp.body.usage.prompt_tokens - asked.body.usage.prompt_tokens;
    assert.ok(added >= '{"temperature_c": 21, "sky": "clear and sunny all day"}'.length / 2, `the call and its result add ${added} tokens`);
  });

  test('a streamed forced call: name chunk first, argument chunks, then finish_reason tool_calls', async () => {
    const { text } = await post({ messages: question, tools: CONFORMANCE_TOOLS, tool_choice: { type: 'function', function: { name: 'get_weather' } }, max_tokens: 120, stream: true });
    const chunks = sseData(text).slice(0, -1).map((event) => JSON.parse(event));
    const deltas = chunks.map((chunk) => chunk.choices[0].delta);
    const opening = deltas.findIndex((delta) => delta.tool_calls !== undefined);
    assert.equal(deltas[opening].tool_calls[0].function.name, 'get_weather');
    assert.match(deltas[opening].tool_calls[0].id, /^call_[0-9a-f]{24}$/);
    const args = deltas.slice(opening + 1, -1).map((delta) => delta.tool_calls[0].function.arguments).join('');
    assert.equal(typeof JSON.parse(args).city, 'string');
    assert.ok(deltas.slice(opening + 1, -1).length > 1, 'arguments arrive in several chunks');
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'tool_calls');
  });

  test('a token budget that ends inside the call gives finish_reason length', async () => {
    const { body } = await postJson({ messages: question, tools: CONFORMANCE_TOOLS, tool_choice: 'required', max_tokens: 12 });
    assert.equal(body.choices[0].finish_reason, 'length');
    assert.equal(body.usage.completion_tokens, 12);
  });

  test('json_schema with $defs, type lists and nullable parses and matches', async () => {
    const schema = {
      type: 'object',
      properties: { level: { $ref: '#/definitions/level' }, note: { type: ['string', 'null'], maxLength: 3 }, flag: { type: 'boolean', nullable: true }, n: { type: 'number' } },
      required: ['level', 'note', 'flag', 'n'],
      definitions: { level: { enum: ['low', 'high'] } },
    };
    const { body } = await postJson({ messages: question, response_format: { type: 'json_schema', json_schema: { name: 's', schema } }, max_tokens: 120 });
    const value = JSON.parse(body.choices[0].message.content);
    assert.ok(['low', 'high'].includes(value.level));
    // maxLength counts characters as the grammar decodes them; random weights may pick bytes that are not
    // valid UTF-8, which then read as several U+FFFD, so only the type is checked here.
    assert.ok(value.note === null || typeof value.note === 'string', `note ${JSON.stringify(value.note)}`);
    assert.ok(value.flag === null || typeof value.flag === 'boolean');
    assert.ok(Number.isFinite(value.n), `n = ${value.n} is a finite number`);
  });

  test('n choices: the first is the single answer, usage sums the completions', async () => {
    const single = await postJson({ messages: question, max_tokens: 5, temperature: 1, seed: 7 });
    const double = await postJson({ messages: question, max_tokens: 5, temperature: 1, seed: 7, n: 2 });
    assert.equal(double.body.choices.length, 2);
    assert.equal(double.body.choices[0].message.content, single.body.choices[0].message.content);
    assert.equal(double.body.usage.prompt_tokens, single.body.usage.prompt_tokens);
    assert.equal(double.body.usage.completion_tokens, 10);
  });

  test('logprobs: one entry per token with top alternatives; completions in the legacy shape', async () => {
    const { body } = await postJson({ messages: question, max_tokens: 4, logprobs: true, top_logprobs: 3 });
    const entries = body.choices[0].logprobs.content;
    assert.equal(entries.length, body.usage.completion_tokens);
    for (const entry of entries) {
      assert.ok(entry.logprob <= 0 && entry.logprob >= -9999);
      assert.equal(entry.top_logprobs.length, 3);
      assert.deepEqual(entry.bytes, [...Buffer.from(entry.token, 'utf8')]);
    }
    const legacy = (await postJson({ prompt: 'the weather', max_tokens: 3, logprobs: 2, echo: true }, '/v1/completions')).body.choices[0];
    assert.ok(legacy.text.startsWith('the weather'), 'echo puts the prompt first');
    assert.equal(legacy.logprobs.tokens.length, 3);
    assert.equal(legacy.logprobs.text_offset[0], 'the weather'.length);
    for (const top of legacy.logprobs.top_logprobs) assert.equal(Object.keys(top).length <= 2, true);
  });

  test('what the engine cannot do is refused with a table code naming the field', async () => {
    const cases: Array<[object, string, string, string]> = [
      [{ prompt: 'x', suffix: 'y' }, '/v1/completions', 'CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER', 'suffix'],
      [{ prompt: 'x', best_of: 3 }, '/v1/completions', 'CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER', 'best_of'],
      [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, '/v1/chat/completions', 'CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER', 'messages[0].content'],
      [{ messages: question, tools: [{ type: 'function', function: { name: 'f', strict: true, parameters: { type: 'object', properties: { a: { type: 'string', pattern: '^a' } } } } }] }, '/v1/chat/completions', 'CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER', 'tools[0].function.parameters.properties.a.pattern'],
      [{ messages: question, response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object', not: {} } } } }, '/v1/chat/completions', 'CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER', 'response_format.json_schema.schema.not'],
      [{ messages: question, tools: CONFORMANCE_TOOLS, response_format: { type: 'json_object' } }, '/v1/chat/completions', 'CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER', 'response_format'],
      [{ messages: question, tools: CONFORMANCE_TOOLS, tool_choice: { type: 'function', function: { name: 'nope' } } }, '/v1/chat/completions', 'CCN_ERR_WORKER_INVALID_REQUEST', 'tool_choice.function.name'],
      [{ messages: [...question, { role: 'tool', tool_call_id: 'c9', content: '1' }] }, '/v1/chat/completions', 'CCN_ERR_WORKER_INVALID_REQUEST', 'messages[1].tool_call_id'],
      [{ messages: [...question, { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }] }, '/v1/chat/completions', 'CCN_ERR_WORKER_INVALID_REQUEST', 'messages[1].tool_calls[0]'],
      [{ messages: question, logprobs: true, top_logprobs: 21 }, '/v1/chat/completions', 'CCN_ERR_WORKER_INVALID_REQUEST', 'top_logprobs'],
      [{ messages: question, n: 17 }, '/v1/chat/completions', 'CCN_ERR_WORKER_INVALID_REQUEST', 'n'],
    ];
    for (const [body, path, code, param] of cases) {
      const answer = await postJson(body, path);
      assert.equal(answer.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(answer.body.error.code, code, JSON.stringify(answer.body));
      assert.equal(answer.body.error.param, param);
      assert.ok(answer.body.error.message.includes(param.split('.').at(-1) ?? param), answer.body.error.message);
    }
    assert.equal((await engine.health()).ok, true);
  });
});
