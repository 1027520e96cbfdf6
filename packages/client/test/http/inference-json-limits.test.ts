/**
 * The HTTP edge checks request JSON strictly before parsing it: too deep (the old code overflowed
 * the stack: 500 CCN_ERR_INTERNAL), too many values (500 k keys blocked the event loop) and
 * duplicate keys (resolved last-wins, so the worker's refusal never fired) are 400s; the gateway is
 * never called and the server keeps serving. Chat/completions and the Telegram text tasks alike.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { send } from './http-test-client.ts';
import type { TestAnswer } from './http-test-client.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const messages = [{ role: 'user', content: 'hi' }];

function errorOf(answer: TestAnswer): Record<string, unknown> {
  return answer.json()['error'] as Record<string, unknown>;
}

/** A chat body with `levels` nested arrays in a tool's parameters (4 container levels around them). */
function deepChat(levels: number): string {
  return `{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${'['.repeat(levels)}${']'.repeat(levels)}}}]}`;
}

describe('request JSON limits on the HTTP edge', () => {
  let context: TestServer;
  let chatUrl: string;
  before(async () => {
    context = await startTestServer({ maxBodyBytes: 16 * 1024 * 1024 });
    chatUrl = `${context.url}/v1/chat/completions`;
  });
  after(() => context.server.close());

  for (const levels of [100_000, 5_000]) {
    test(`${levels} nested levels are 400 CCN_ERR_HTTP_JSON_TOO_DEEP, the gateway is not called, the server keeps serving`, async () => {
      const before = context.gateway.requests.length;
      for (const body of [deepChat(levels), `${'['.repeat(levels)}${']'.repeat(levels)}`, `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`]) {
        const answer = await send(chatUrl, { body });
        assert.equal(answer.status, 400);
        assert.deepEqual(errorOf(answer), { message: 'request JSON is nested deeper than 64 levels', type: 'invalid_request_error', code: 'CCN_ERR_HTTP_JSON_TOO_DEEP', param: null });
      }
      assert.equal(context.gateway.requests.length, before);
      const fine = await send(chatUrl, { body: { model: 'm', messages } });
      assert.equal(fine.status, 200);
    });
  }

  test('60 levels within a normal message are accepted and forwarded', async () => {
    const answer = await send(chatUrl, { body: deepChat(60) });
    assert.equal(answer.status, 200);
    const tools = context.gateway.lastBody['tools'] as Array<{ function: { parameters: unknown } }>;
    assert.equal(JSON.stringify(tools[0]!.function.parameters), `${'['.repeat(60)}${']'.repeat(60)}`);
  });

  const duplicates: Array<[string, string, string]> = [
    ['top level', '{"model":"m","messages":[],"model":"other"}', 'model'],
    ['nested', '{"model":"m","messages":[{"role":"user","content":"a","content":"b"}]}', 'content'],
    ['escaped variant', '{"model":"m","messages":[],"\\u006dodel":"other"}', 'model'],
    ['client-only field', '{"model":"m","messages":[],"max_coefficient":1,"max_coefficient":99999}', 'max_coefficient'],
  ];
  for (const [name, body, key] of duplicates) {
    test(`a duplicate key (${name}) is 400 naming the key`, async () => {
      const before = context.gateway.requests.length;
      const answer = await send(chatUrl, { body });
      assert.equal(answer.status, 400);
      assert.deepEqual(errorOf(answer), { message: `request JSON has a duplicate key '${key}'`, type: 'invalid_request_error', code: 'CCN_ERR_HTTP_JSON_DUPLICATE_KEY', param: key });
      assert.equal(context.gateway.requests.length, before);
    });
  }

  test('equal keys in sibling messages and keys inside strings are not duplicates', async () => {
    const body = { model: 'm', messages: [{ role: 'user', content: '{"model":1,"model":2}' }, { role: 'assistant', content: 'x' }, { role: 'user', content: 'y' }] };
    const answer = await send(chatUrl, { body });
    assert.equal(answer.status, 200);
  });

  test('500 000 keys (5.9 MB) are 400 CCN_ERR_HTTP_JSON_TOO_COMPLEX', async () => {
    const keys = Array.from({ length: 500_000 }, (_, index) => `"k${index}":1`).join(',');
    const body = `{"model":"m","messages":[],"metadata":{${keys}}}`;
    const before = context.gateway.requests.length;
    const answer = await send(chatUrl, { body });
    assert.equal(answer.status, 400);
    assert.deepEqual(errorOf(answer), { message: 'request JSON has more than 100000 values', type: 'invalid_request_error', code: 'CCN_ERR_HTTP_JSON_TOO_COMPLEX', param: null });
    assert.equal(context.gateway.requests.length, before);
  });

  test('the Telegram text tasks apply the same checks', async () => {
    const before = context.gateway.requests.length;
    const deep = await send(`${context.url}/v1/summarize`, { body: `{"text":"t","model":${'['.repeat(5_000)}${']'.repeat(5_000)}}` });
    assert.equal(deep.status, 400);
    assert.equal(errorOf(deep)['code'], 'CCN_ERR_HTTP_JSON_TOO_DEEP');
    const duplicate = await send(`${context.url}/v1/translate`, { body: '{"text":"t","target_language":"fr","target_language":"de"}' });
    assert.equal(duplicate.status, 400);
    assert.deepEqual(errorOf(duplicate), { message: "request JSON has a duplicate key 'target_language'", type: 'invalid_request_error', code: 'CCN_ERR_HTTP_JSON_DUPLICATE_KEY', param: 'target_language' });
    assert.equal(context.gateway.requests.length, before);
  });
});
