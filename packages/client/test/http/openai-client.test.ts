/**
 * The official `openai` npm client against the HTTP edge, with a fake gateway that answers in
 * OpenAI's shapes: non-streaming, streaming (SSE), and an error surfaced as an APIError.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { CocoonError } from '@cocoon/protocol';
import { chunksOf, jsonAnswer } from './fake-inference-gateway.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

function sseChunk(content: string | undefined, finish: string | null): string {
  const delta = content === undefined ? {} : { content };
  return `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'Qwen3-8B', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

describe('openai npm client', () => {
  let context: TestServer;
  let client: OpenAI;
  before(async () => {
    context = await startTestServer();
    client = new OpenAI({ baseURL: `${context.url}/v1`, apiKey: 'x', maxRetries: 0 });
  });
  after(() => context.server.close());

  test('chat.completions.create without streaming', async () => {
    context.gateway.script = async () =>
      jsonAnswer({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'Qwen3-8B',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      });
    const completion = await client.chat.completions.create({ model: 'Qwen3-8B', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 50 });
    assert.equal(completion.choices[0]?.message.content, 'Hello!');
    assert.equal(completion.usage?.total_tokens, 5);
    assert.equal(context.gateway.lastRequest.maxTokens, 50);
    assert.equal(context.gateway.lastRequest.headers['authorization'], undefined);
  });

  test('chat.completions.create with streaming', async () => {
    context.gateway.script = async () => ({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: chunksOf(sseChunk('Hel', null), sseChunk('lo', null), sseChunk(undefined, 'stop'), 'data: [DONE]\n\n'),
    });
    const stream = await client.chat.completions.create({ model: 'Qwen3-8B', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const pieces: string[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) pieces.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
    assert.deepEqual(pieces, ['Hel', 'lo']);
    assert.equal(finish, 'stop');
    assert.equal(context.gateway.lastRequest.stream, true);
  });

  test('a gateway error reaches the client as an APIError with our code', async () => {
    context.gateway.script = async () => {
      throw new CocoonError('CCN_ERR_ROUTE_UNKNOWN_MODEL', "unknown model 'nope'", { param: 'model' });
    };
    await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.APIError);
      assert.equal(error.status, 404);
      assert.equal(error.code, 'CCN_ERR_ROUTE_UNKNOWN_MODEL');
      assert.equal(error.param, 'model');
      return true;
    });
  });

  test('models.list reads /v1/models', async () => {
    context.gateway.models = [{ id: 'Qwen3-8B', workers: [{ coefficient: 1000, runningRequests: 0, maxRunningRequests: 10 }] }];
    const page = await client.models.list();
    assert.deepEqual(page.data.map((model) => model.id), ['Qwen3-8B']);
  });
});
