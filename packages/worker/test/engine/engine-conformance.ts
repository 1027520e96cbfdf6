/**
 * Shared conformance suite of the worker's InferenceEngine port, run against every engine
 * (TEST ENGINE, OpenAiHttpEngine → recorded vLLM-style server, embedded llama.cpp): chat
 * JSON and SSE answers, the usage chunk, completions, models, health, usage counts, max_tokens,
 * concurrency, malformed bodies, aborts mid-stream that must free the engine's resources, tool
 * calls (required, named, streamed as delta.tool_calls, a follow-up with role "tool" messages),
 * structured output (response_format json_schema / json_object) and n > 1.
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
const TIMEOUT_MS = 30_000;
/** Room for a grammar-constrained tool call or JSON answer (character tokens of a tiny model). */
const STRUCTURED_MAX_TOKENS = 120;

/** The suite's tools; their argument schemas are bounded so even a random-weights model completes them. */
export const CONFORMANCE_TOOLS = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 8 } }, required: ['city'], additionalProperties: false } } },
  { type: 'function', function: { name: 'get_time', description: 'Time in a zone', parameters: { type: 'object', properties: { zone: { type: 'string', enum: ['UTC', 'CET'] } }, required: ['zone'] } } },
];
/** The suite's response_format schema. */
export const CONFORMANCE_SCHEMA = {
  type: 'object',
  properties: { answer: { type: 'string', maxLength: 6 }, ok: { type: 'boolean' }, count: { type: 'integer' }, color: { type: 'string', enum: ['red', 'green'] } },
  required: ['answer', 'ok', 'count', 'color'],
  additionalProperties: false,
};

type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; additionalProperties?: boolean; enum?: unknown[]; maxLength?: number };

/** Checks `value` against the small JSON Schema subset the suite uses; returns the first mismatch. */
export function schemaMismatch(value: unknown, schema: Schema, path = '$'): string | undefined {
  if (schema.enum !== undefined && !schema.enum.includes(value)) return `${path}: ${JSON.stringify(value)} not in enum`;
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path}: not an object`;
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (!(key in record)) return `${path}.${key}: missing`;
      for (const [key, item] of Object.entries(record)) {
        const property = schema.properties?.[key];
        if (property === undefined) {
          if (schema.additionalProperties === false) return `${path}.${key}: not allowed`;
          continue;
        }
        const mismatch = schemaMismatch(item, property, `${path}.${key}`);
        if (mismatch !== undefined) return mismatch;
      }
      return undefined;
    }
    case 'string':
      if (typeof value !== 'string') return `${path}: not a string`;
      return schema.maxLength !== undefined && [...value].length > schema.maxLength ? `${path}: longer than ${schema.maxLength}` : undefined;
    case 'integer':
      return Number.isSafeInteger(value) ? undefined : `${path}: not an integer`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${path}: not a boolean`;
    default:
      return undefined;
  }
}

interface AssembledToolCall {
  id: string;
  type: string;
  name: string;
  arguments: string;
}

/** Assembles the streamed `delta.tool_calls` of choice 0 (by tool call index). */
function assembleToolCalls(chunks: Array<{ choices: Array<{ delta?: { tool_calls?: Array<Record<string, unknown>> } }> }>): AssembledToolCall[] {
  const calls: AssembledToolCall[] = [];
  for (const chunk of chunks) {
    for (const part of chunk.choices[0]?.delta?.tool_calls ?? []) {
      const index = part.index as number;
      calls[index] ??= { id: '', type: '', name: '', arguments: '' };
      const call = calls[index];
      const fn = (part.function ?? {}) as { name?: string; arguments?: string };
      if (typeof part.id === 'string') call.id = part.id;
      if (typeof part.type === 'string') call.type = part.type;
      if (typeof fn.name === 'string') call.name += fn.name;
      if (typeof fn.arguments === 'string') call.arguments += fn.arguments;
    }
  }
  return calls;
}

function assertToolCall(call: { id: string; type: string; name: string; arguments: string }, names: readonly string[]): void {
  assert.equal(typeof call.id, 'string');
  assert.ok(call.id.length > 0, 'tool call id');
  assert.equal(call.type, 'function');
  assert.ok(names.includes(call.name), `tool ${call.name} is one of ${names.join(', ')}`);
  const tool = CONFORMANCE_TOOLS.find((candidate) => candidate.function.name === call.name);
  const parsed: unknown = JSON.parse(call.arguments);
  assert.equal(schemaMismatch(parsed, tool?.function.parameters as unknown as Schema), undefined, `arguments ${call.arguments} match the schema of ${call.name}`);
}

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

    const toolNames = CONFORMANCE_TOOLS.map((tool) => tool.function.name);
    const weatherQuestion = [{ role: 'user', content: 'What is the weather in Paris?' }];

    test('tool call with tool_choice required, not streamed', async () => {
      const response = await post(chat({ messages: weatherQuestion, tools: CONFORMANCE_TOOLS, tool_choice: 'required', max_tokens: STRUCTURED_MAX_TOKENS }));
      assert.equal(response.status, 200);
      const body = JSON.parse(await readText(response));
      const choice = body.choices[0];
      assert.equal(choice.finish_reason, 'tool_calls');
      assert.equal(choice.message.role, 'assistant');
      assert.ok(choice.message.content === null || typeof choice.message.content === 'string');
      assert.equal(choice.message.tool_calls.length, 1);
      const call = choice.message.tool_calls[0];
      assertToolCall({ id: call.id, type: call.type, name: call.function.name, arguments: call.function.arguments }, toolNames);
      assertUsage(body.usage, STRUCTURED_MAX_TOKENS);
      assert.ok(body.usage.completion_tokens > 0, 'the tool call is billed as completion tokens');
    });

    test('tool call streamed as delta.tool_calls chunks with finish_reason tool_calls', async () => {
      const response = await post(chat({ messages: weatherQuestion, tools: CONFORMANCE_TOOLS, tool_choice: 'required', max_tokens: STRUCTURED_MAX_TOKENS, stream: true, stream_options: { include_usage: true } }));
      assert.equal(response.status, 200);
      const events = sseData(await readText(response));
      assert.equal(events.at(-1), '[DONE]');
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
      const usageChunk = chunks.at(-1);
      assert.deepEqual(usageChunk.choices, []);
      assertUsage(usageChunk.usage, STRUCTURED_MAX_TOKENS);
      const choiceChunks = chunks.slice(0, -1);
      assert.equal(choiceChunks.at(-1).choices[0].finish_reason, 'tool_calls');
      const calls = assembleToolCalls(choiceChunks);
      assert.equal(calls.length, 1);
      assertToolCall(calls[0] as AssembledToolCall, toolNames);
    });

    test('a named tool_choice calls that function', async () => {
      const body = JSON.parse(await readText(await post(chat({ messages: weatherQuestion, tools: CONFORMANCE_TOOLS, tool_choice: { type: 'function', function: { name: 'get_time' } }, max_tokens: STRUCTURED_MAX_TOKENS }))));
      const call = body.choices[0].message.tool_calls[0];
      assert.equal(call.function.name, 'get_time');
      assertToolCall({ id: call.id, type: call.type, name: call.function.name, arguments: call.function.arguments }, ['get_time']);
    });

    test('a follow-up with a role "tool" message continues the conversation', async () => {
      const messages = [
        ...weatherQuestion,
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temperature_c": 21}' },
      ];
      const answered = JSON.parse(await readText(await post(chat({ messages, tools: CONFORMANCE_TOOLS, tool_choice: 'none' }))));
      assert.equal(answered.choices[0].message.role, 'assistant');
      assert.equal(typeof answered.choices[0].message.content, 'string');
      assert.equal((answered.choices[0].message.tool_calls ?? []).length, 0, 'no tool call with tool_choice none');
      assert.ok(['stop', 'length'].includes(answered.choices[0].finish_reason));
      assertUsage(answered.usage, MAX_TOKENS);
      const auto = await post(chat({ messages, tools: CONFORMANCE_TOOLS, max_tokens: STRUCTURED_MAX_TOKENS }));
      assert.equal(auto.status, 200);
      const choice = JSON.parse(await readText(auto)).choices[0];
      if (choice.finish_reason === 'tool_calls') {
        const call = choice.message.tool_calls[0];
        assertToolCall({ id: call.id, type: call.type, name: call.function.name, arguments: call.function.arguments }, toolNames);
      } else assert.equal(typeof choice.message.content, 'string');
    });

    test('response_format json_schema: the answer parses and matches the schema', async () => {
      const responseFormat = { type: 'json_schema', json_schema: { name: 'reply', strict: true, schema: CONFORMANCE_SCHEMA } };
      const body = JSON.parse(await readText(await post(chat({ response_format: responseFormat, max_tokens: STRUCTURED_MAX_TOKENS }))));
      assert.equal(body.choices[0].finish_reason, 'stop');
      const content = body.choices[0].message.content as string;
      assert.equal(schemaMismatch(JSON.parse(content), CONFORMANCE_SCHEMA as Schema), undefined, content);
      const streamed = sseData(await readText(await post(chat({ response_format: responseFormat, max_tokens: STRUCTURED_MAX_TOKENS, stream: true }))));
      const text = streamed.slice(0, -1).map((event) => JSON.parse(event).choices[0].delta.content ?? '').join('');
      assert.equal(schemaMismatch(JSON.parse(text), CONFORMANCE_SCHEMA as Schema), undefined, text);
    });

    test('response_format json_object: the answer is a JSON object', async () => {
      const body = JSON.parse(await readText(await post(chat({ response_format: { type: 'json_object' }, max_tokens: 24 }))));
      const content = body.choices[0].message.content as string;
      assert.ok(content.trimStart().startsWith('{'), content);
      // A random-weights model may use up max_tokens inside a string; a finished answer must parse.
      if (body.choices[0].finish_reason === 'stop') assert.equal(typeof JSON.parse(content), 'object');
    });

    test('n = 2 gives two choices, also streamed', async () => {
      const body = JSON.parse(await readText(await post(chat({ n: 2 }))));
      assert.deepEqual(body.choices.map((choice: { index: number }) => choice.index), [0, 1]);
      for (const choice of body.choices) assert.equal(typeof choice.message.content, 'string');
      assertUsage(body.usage, 2 * MAX_TOKENS);
      const events = sseData(await readText(await post(chat({ n: 2, stream: true, stream_options: { include_usage: true } }))));
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
      const finished = chunks.flatMap((chunk) => chunk.choices).filter((choice: { finish_reason: string | null }) => choice.finish_reason !== null);
      assert.deepEqual(finished.map((choice: { index: number }) => choice.index).sort(), [0, 1]);
      assertUsage(chunks.at(-1).usage, 2 * MAX_TOKENS);
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
