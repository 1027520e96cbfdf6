/**
 * Shared conformance suite of the worker's InferenceEngine port, run against every engine
 * (TEST ENGINE, OpenAiHttpEngine → recorded vLLM-style server, embedded llama.cpp): chat
 * JSON and SSE answers, the usage chunk, completions, models, health, usage counts, max_tokens,
 * concurrency, malformed bodies, and aborts mid-stream that must free the engine's resources.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isCocoonError } from '@cocoon/protocol';
import type { EngineResponse, InferenceEngine } from '../../src/engine/index.ts';

export interface EngineUnderTest {
  engine: InferenceEngine;
  /** The model name to put in requests. */
  model: string;
  /** Whether POST /v1/completions is served. */
  supportsCompletions: boolean;
  /** Generations still running in the engine's backend, when it can tell (must fall to 0 after aborts). */
  activeGenerations?: () => number;
  close(): Promise<void>;
}

const MAX_TOKENS = 6;
const TIMEOUT_MS = 10_000;

export async function readText(response: EngineResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The `data:` payloads of an SSE body, checking the `data: …\n\n` framing. */
export function sseData(text: string): string[] {
  assert.ok(text.endsWith('\n\n'), 'SSE body ends with a blank line');
  return text.slice(0, -2).split('\n\n').map((event) => {
    assert.ok(event.startsWith('data: '), `SSE event starts with 'data: ': ${event.slice(0, 80)}`);
    return event.slice('data: '.length);
  });
}

function assertUsage(usage: unknown, maxCompletion: number): void {
  assert.ok(typeof usage === 'object' && usage !== null, 'usage is an object');
  const { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total } = usage as Record<string, unknown>;
  for (const value of [prompt, completion, total]) assert.ok(Number.isSafeInteger(value) && (value as number) >= 0, `token count ${String(value)} is a non-negative integer`);
  assert.ok((prompt as number) > 0, 'prompt_tokens > 0');
  assert.ok((completion as number) <= maxCompletion, `completion_tokens ${String(completion)} ≤ max_tokens ${maxCompletion}`);
  assert.equal(total, (prompt as number) + (completion as number), 'total = prompt + completion');
  const cached = (usage as { prompt_tokens_details?: { cached_tokens?: unknown } | null }).prompt_tokens_details?.cached_tokens;
  if (cached !== undefined) assert.ok(Number.isSafeInteger(cached) && (cached as number) >= 0 && (cached as number) <= (prompt as number), 'cached_tokens in [0, prompt_tokens]');
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200 && !check(); attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(check(), what);
}

export function runEngineConformance(name: string, setup: () => Promise<EngineUnderTest>): void {
  describe(`engine conformance: ${name}`, () => {
    let subject: EngineUnderTest;
    const post = (body: object | string, path = '/v1/chat/completions', signal?: AbortSignal) =>
      subject.engine.forward({
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
        timeoutMs: TIMEOUT_MS,
        signal,
      });
    const chat = (extra: object = {}) => ({ model: subject.model, messages: [{ role: 'user', content: 'hello there' }], max_tokens: MAX_TOKENS, temperature: 0, ...extra });

    before(async () => {
      subject = await setup();
    });
    after(async () => {
      await subject.close();
    });

    test('health is ok and lists the model', async () => {
      const health = await subject.engine.health();
      assert.equal(health.ok, true);
      assert.ok(health.models.includes(subject.model), `models ${health.models.join(',')} include ${subject.model}`);
    });

    test('GET /v1/models lists the model', async () => {
      const response = await subject.engine.forward({ path: '/v1/models', method: 'GET', headers: {}, body: Buffer.alloc(0), timeoutMs: TIMEOUT_MS });
      assert.equal(response.status, 200);
      const body = JSON.parse(await readText(response)) as { object: string; data: Array<{ id: string; object: string }> };
      assert.equal(body.object, 'list');
      assert.ok(body.data.some((entry) => entry.id === subject.model && entry.object === 'model'));
    });

    test('chat completion, not streamed', async () => {
      const response = await post(chat());
      assert.equal(response.status, 200);
      assert.match(response.headers['content-type'] ?? '', /application\/json/);
      const body = JSON.parse(await readText(response));
      assert.equal(body.object, 'chat.completion');
      assert.equal(body.model, subject.model);
      assert.equal(typeof body.id, 'string');
      assert.ok(Number.isSafeInteger(body.created));
      assert.equal(body.choices.length, 1);
      assert.equal(body.choices[0].message.role, 'assistant');
      assert.equal(typeof body.choices[0].message.content, 'string');
      assert.ok(['stop', 'length'].includes(body.choices[0].finish_reason));
      assertUsage(body.usage, MAX_TOKENS);
    });

    test('chat completion, streamed with a final usage chunk', async () => {
      const response = await post(chat({ stream: true, stream_options: { include_usage: true } }));
      assert.equal(response.status, 200);
      assert.match(response.headers['content-type'] ?? '', /text\/event-stream/);
      const events = sseData(await readText(response));
      assert.equal(events.at(-1), '[DONE]');
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
      for (const chunk of chunks) {
        assert.equal(chunk.object, 'chat.completion.chunk');
        assert.equal(chunk.model, subject.model);
      }
      const usageChunk = chunks.at(-1);
      assert.deepEqual(usageChunk.choices, []);
      assertUsage(usageChunk.usage, MAX_TOKENS);
      const choiceChunks = chunks.slice(0, -1);
      assert.ok(choiceChunks.length >= 2, 'a role chunk and a finish chunk at least');
      assert.equal(choiceChunks[0].choices[0].delta.role, 'assistant');
      assert.ok(['stop', 'length'].includes(choiceChunks.at(-1).choices[0].finish_reason));
      for (const chunk of choiceChunks.slice(0, -1)) assert.equal(chunk.choices[0].finish_reason, null);
      const content = choiceChunks.map((chunk) => chunk.choices[0].delta.content ?? '').join('');
      assert.equal(typeof content, 'string');
    });

    test('streamed without include_usage: no usage chunk', async () => {
      const events = sseData(await readText(await post(chat({ stream: true }))));
      assert.equal(events.at(-1), '[DONE]');
      for (const event of events.slice(0, -1)) {
        const chunk = JSON.parse(event);
        assert.equal(chunk.choices.length, 1);
        assert.ok(chunk.usage === undefined || chunk.usage === null);
      }
    });

    test('max_tokens bounds the completion', async () => {
      const body = JSON.parse(await readText(await post(chat({ max_tokens: 2 }))));
      assertUsage(body.usage, 2);
      if (body.usage.completion_tokens < 2) assert.equal(body.choices[0].finish_reason, 'stop');
      else assert.equal(body.choices[0].finish_reason, 'length');
    });

    test('completions endpoint (when supported)', { skip: false }, async (context) => {
      if (!subject.supportsCompletions) return context.skip('engine has no /v1/completions');
      const response = await post({ model: subject.model, prompt: 'the cat sat', max_tokens: MAX_TOKENS, temperature: 0 }, '/v1/completions');
      assert.equal(response.status, 200);
      const body = JSON.parse(await readText(response));
      assert.equal(body.object, 'text_completion');
      assert.equal(typeof body.choices[0].text, 'string');
      assertUsage(body.usage, MAX_TOKENS);
      const streamed = sseData(await readText(await post({ model: subject.model, prompt: 'the cat', max_tokens: 3, stream: true, stream_options: { include_usage: true } }, '/v1/completions')));
      assert.equal(streamed.at(-1), '[DONE]');
      assertUsage(JSON.parse(streamed.at(-2) ?? '{}').usage, 3);
    });

    test('concurrent requests all complete', async () => {
      const answers = await Promise.all(
        Array.from({ length: 5 }, async (_, index) => {
          const response = await post(chat({ messages: [{ role: 'user', content: `question number ${index}` }], stream: index % 2 === 0, stream_options: { include_usage: true } }));
          assert.equal(response.status, 200);
          const text = await readText(response);
          return index % 2 === 0 ? JSON.parse(sseData(text).at(-2) ?? '{}') : JSON.parse(text);
        }),
      );
      for (const answer of answers) assertUsage(answer.usage, MAX_TOKENS);
    });

    test('malformed body: an error answer or a CocoonError, not a crash', async () => {
      for (const bad of ['{not json', '[1,2]', JSON.stringify({ model: subject.model, messages: 'nope' })]) {
        try {
          const response = await post(bad);
          await readText(response);
          assert.ok(response.status >= 400 && response.status < 500, `status ${response.status} for ${bad}`);
        } catch (error) {
          assert.ok(isCocoonError(error), `a CocoonError, got ${String(error)}`);
        }
      }
      assert.equal((await subject.engine.health()).ok, true);
    });

    test('abort mid-stream frees the engine', async () => {
      // Leaving the body early (break), then aborting through the caller's signal.
      const first = await post(chat({ stream: true, max_tokens: 8 }));
      for await (const chunk of first.body) {
        assert.ok(chunk.length > 0);
        break;
      }
      const controller = new AbortController();
      const second = await post(chat({ stream: true, max_tokens: 8 }), '/v1/chat/completions', controller.signal);
      await assert.rejects(async () => {
        for await (const chunk of second.body) {
          assert.ok(chunk.length > 0);
          controller.abort();
        }
        throw new Error('body ended although the request was aborted');
      }, (error: unknown) => isCocoonError(error) || (error as Error).name === 'AbortError');
      if (subject.activeGenerations !== undefined) await eventually(() => subject.activeGenerations?.() === 0, 'no generation left running');
      const after = await Promise.all([0, 1, 2].map(async () => JSON.parse(await readText(await post(chat({ max_tokens: 2 }))))));
      for (const answer of after) assertUsage(answer.usage, 2);
    });
  });
}
