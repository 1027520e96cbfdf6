/** Tests of the worker's request validation and rewriting (§4.6). */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import { validateWorkerRequest } from '../../src/request/index.ts';

const MODEL = 'Qwen/Qwen3-8B';

function validate(body: string | object, url = '/v1/chat/completions', method = 'POST') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return validateWorkerRequest({ method, url, body: Buffer.from(text), modelBaseName: MODEL });
}

function rejects(body: string | object, reason: string | RegExp, url?: string, method?: string): CocoonError {
  let caught: unknown;
  try {
    validate(body, url, method);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CocoonError, 'expected a CocoonError');
  assert.equal(caught.code, 'CCN_ERR_WORKER_INVALID_REQUEST');
  if (typeof reason === 'string') assert.equal(caught.message, `worker: invalid http request: ${reason}`);
  else assert.match(caught.message, reason);
  return caught;
}

const chat = { model: MODEL, messages: [{ role: 'user', content: 'Hi' }] };

describe('validateWorkerRequest: accepted requests', () => {
  test('golden non-streaming chat body is forwarded byte for byte', () => {
    const text = '{"max_tokens":100,"messages":[{"content":"Hi","role":"user"}],"model":"Qwen/Qwen3-8B","stream":false}';
    const input = Buffer.from(text);
    const result = validateWorkerRequest({ method: 'POST', url: '/v1/chat/completions', body: input, modelBaseName: MODEL });
    assert.equal(result.body, input);
    assert.equal(result.stream, false);
    assert.equal(result.kind, 'chat');
  });

  test('streaming chat forces stream_options.include_usage', () => {
    const result = validate({ ...chat, stream: true });
    assert.equal(result.stream, true);
    assert.deepEqual(JSON.parse(result.body.toString()).stream_options, { include_usage: true });
  });

  test('include_usage false is overridden, other stream options kept', () => {
    const result = validate({ ...chat, stream: true, stream_options: { include_usage: false, include_obfuscation: true } });
    assert.deepEqual(JSON.parse(result.body.toString()).stream_options, { include_usage: true, include_obfuscation: true });
  });

  test('stream_options without stream turns streaming on', () => {
    const result = validate({ ...chat, stream_options: {} });
    const body = JSON.parse(result.body.toString());
    assert.equal(result.stream, true);
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
  });

  test('stream_options dropped when stream is false', () => {
    const result = validate({ ...chat, stream: false, stream_options: { include_usage: true } });
    assert.equal(result.stream, false);
    assert.equal('stream_options' in JSON.parse(result.body.toString()), false);
  });

  test('tools, tool_choice and the later upstream options are allowed', () => {
    const result = validate({
      ...chat,
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      tool_choice: 'auto',
      seed: 7,
      user: 'u',
      logprobs: true,
      logit_bias: { '50256': -100 },
      metadata: { a: 'b' },
      store: false,
      service_tier: 'auto',
      chat_template_kwargs: { enable_thinking: false },
    });
    assert.equal(result.kind, 'chat');
  });

  test('completions with prompt array', () => {
    const result = validate({ model: MODEL, prompt: ['a', 'b'], max_tokens: 5, echo: false }, '/v1/completions');
    assert.equal(result.kind, 'completion');
    assert.equal(result.stream, false);
  });
});

describe('validateWorkerRequest: rejected requests', () => {
  test('path must match exactly (query string rejected)', () => {
    rejects(chat, 'unsupported method', '/v1/chat/completions?chunks=3&bytes=16');
    rejects(chat, 'unsupported method', '/v1/embeddings');
  });

  test('method must be POST', () => {
    rejects(chat, /method must be POST/, '/v1/chat/completions', 'GET');
  });

  test('body must be a JSON object', () => {
    rejects('not json', 'body is not valid JSON');
    rejects('[1,2]', 'body must be a JSON object');
  });

  test('duplicate keys rejected at top level and nested, escapes decoded', () => {
    const error = rejects('{"model":"Qwen/Qwen3-8B","messages":[],"model":"other"}', "duplicate key 'model'");
    assert.equal(error.param, 'model');
    rejects('{"model":"Qwen/Qwen3-8B","messages":[{"role":"user","role":"system"}]}', "duplicate key 'role'");
    rejects('{"model":"Qwen/Qwen3-8B","\\u006dessages":[],"messages":[]}', "duplicate key 'messages'");
  });

  test('unknown keys rejected with the reference message', () => {
    const error = rejects({ ...chat, audio: {} }, "unknown option 'audio'");
    assert.equal(error.param, 'audio');
    rejects({ ...chat, web_search_options: {} }, "unknown option 'web_search_options'");
    rejects({ model: MODEL, prompt: 'x', messages: [] }, "unknown option 'messages'", '/v1/completions');
    rejects({ ...chat, stream_options: { foo: true } }, "unknown option 'stream_options.foo'");
    rejects({ ...chat, __proto__x: 1 }, "unknown option '__proto__x'");
  });

  test('types and ranges checked', () => {
    rejects({ ...chat, frequency_penalty: 3 }, /'frequency_penalty' must be a number in \[-2, 2\]/);
    rejects({ ...chat, max_tokens: -1 }, /'max_tokens' must be an integer >= 0/);
    rejects({ ...chat, max_completion_tokens: 1.5 }, /'max_completion_tokens'/);
    rejects({ ...chat, n: 0 }, /'n' must be an integer >= 1/);
    rejects({ ...chat, stream: 'yes' }, /'stream' must be a boolean/);
    rejects({ ...chat, messages: 'hi' }, /'messages' must be an array/);
    rejects({ ...chat, tools: ['x'] }, /'tools' must be an array of objects/);
    rejects({ ...chat, tool_choice: 3 }, /'tool_choice'/);
    rejects({ ...chat, chat_template_kwargs: { enable_thinking: 'no' } }, /enable_thinking/);
  });

  test('required options and model name', () => {
    rejects({ model: MODEL }, "missing required option 'messages'");
    rejects({ messages: [] }, "missing required option 'model'");
    rejects({ ...chat, model: 'other/model' }, 'model name mismatch');
  });
});
