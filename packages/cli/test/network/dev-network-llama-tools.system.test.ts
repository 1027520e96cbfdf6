/**
 * System test of tool calls and structured output through the whole dev network on the DEFAULT
 * engine (embedded llama.cpp, the generated tiny random-weights GGUF, threads 1, off chain):
 * the `openai` npm client gets a grammar-constrained tool call (streamed and not), continues
 * after a role "tool" message, and gets a json_schema answer that parses and matches; the
 * Vercel AI SDK's generateText with a tool and generateObject with a schema work; the proxy
 * bills every answer (exactly the adjusted usage for the openai client's requests).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { generateObject, generateText, jsonSchema, tool } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { adjustTokens, createLogger, DEFAULT_MULTIPLIERS } from '@cocoon/protocol';
import { startDevNetwork } from '../../src/index.ts';
import type { DevNetwork } from '../../src/index.ts';
import { ChildLogs, fetchJson, freePorts } from './network-harness.ts';

const MODEL = 'tiny-random';
/** Grammar-constrained output of a random-weights model: about one token per character. */
const MAX_TOKENS = 120;
const WEATHER_TOOL: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 8 } }, required: ['city'], additionalProperties: false } },
};
const TIME_TOOL: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_time', description: 'Time in a zone', parameters: { type: 'object', properties: { zone: { type: 'string', enum: ['UTC', 'CET'] } }, required: ['zone'] } },
};
const REPLY_SCHEMA = {
  type: 'object',
  properties: { ok: { type: 'boolean' }, color: { type: 'string', enum: ['red', 'green'] }, count: { type: 'integer' } },
  required: ['ok', 'color', 'count'],
  additionalProperties: false,
} as const;
const question: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];

const billedTotal = (usage: OpenAI.CompletionUsage): number => adjustTokens({
  promptTokens: usage.prompt_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0, completionTokens: usage.completion_tokens, reasoningTokens: 0,
}, 1000, DEFAULT_MULTIPLIERS).total;

function assertReply(value: unknown): void {
  const reply = value as { ok: unknown; color: unknown; count: unknown };
  assert.deepEqual(Object.keys(reply).sort(), ['color', 'count', 'ok']);
  assert.equal(typeof reply.ok, 'boolean');
  assert.ok(reply.color === 'red' || reply.color === 'green');
  assert.ok(Number.isSafeInteger(reply.count));
}

describe('tool calls and structured output through cocoon dev on embedded llama.cpp', { timeout: 150_000 }, () => {
  const logs = new ChildLogs();
  let directory: string;
  let network: DevNetwork;
  let openai: OpenAI;
  const usages: OpenAI.CompletionUsage[] = [];
  const ledgerTokens = async (): Promise<number> => ((await fetchJson(network.statsUrls.proxy!.replace('/stats', '/jsonstats'))).ledger as Record<string, number>).tokens ?? 0;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-llama-tools-'));
    const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp] = await freePorts(5);
    network = await startDevNetwork({
      engine: 'llama', dataDir: join(directory, 'data'), modelsDir: join(directory, 'empty-cache'), llamaThreads: 1, llamaGpu: false,
      workers: 1, ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp }, powDifficulty: 8, onLine: logs.onLine, readyTimeoutMs: 60_000,
      logger: createLogger('dev', { write: () => {} }),
    });
    openai = new OpenAI({ baseURL: network.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });

  after(async () => {
    await network?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  test('openai client: tool_choice required gives a well-formed tool call', async () => {
    const answer = await openai.chat.completions.create({ model: MODEL, messages: question, tools: [WEATHER_TOOL, TIME_TOOL], tool_choice: 'required', max_tokens: MAX_TOKENS, temperature: 0 });
    const choice = answer.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls', logs.tail());
    const call = choice.message.tool_calls?.[0];
    assert.ok(call !== undefined && call.type === 'function');
    assert.ok(['get_weather', 'get_time'].includes(call.function.name));
    const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
    if (call.function.name === 'get_time') assert.ok(args.zone === 'UTC' || args.zone === 'CET');
    else assert.equal(typeof args.city, 'string');
    assert.ok(answer.usage!.completion_tokens > 0);
    usages.push(answer.usage!);
  });

  test('openai client: a streamed tool call arrives as delta.tool_calls', async () => {
    const stream = await openai.chat.completions.create({
      model: MODEL, messages: question, tools: [WEATHER_TOOL], tool_choice: { type: 'function', function: { name: 'get_weather' } },
      max_tokens: MAX_TOKENS, temperature: 0, stream: true, stream_options: { include_usage: true },
    });
    let name = '';
    let args = '';
    let id = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (choice === undefined) continue;
      finish = choice.finish_reason ?? finish;
      for (const part of choice.delta.tool_calls ?? []) {
        id = part.id ?? id;
        name += part.function?.name ?? '';
        args += part.function?.arguments ?? '';
      }
    }
    assert.equal(finish, 'tool_calls');
    assert.match(id, /^call_/);
    assert.equal(name, 'get_weather');
    assert.equal(typeof (JSON.parse(args) as { city: unknown }).city, 'string');
    assert.ok(usage, 'usage arrived in the stream');
    usages.push(usage);
  });

  test('openai client: a follow-up with a role "tool" message gets an answer', async () => {
    const answer = await openai.chat.completions.create({
      model: MODEL,
      messages: [
        ...question,
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temperature_c": 21}' },
      ],
      tools: [WEATHER_TOOL], tool_choice: 'none', max_tokens: 8, temperature: 0,
    });
    assert.equal(typeof answer.choices[0]!.message.content, 'string');
    assert.ok(['stop', 'length'].includes(answer.choices[0]!.finish_reason));
    usages.push(answer.usage!);
  });

  test('openai client: response_format json_schema gives JSON matching the schema', async () => {
    const answer = await openai.chat.completions.create({
      model: MODEL, messages: [{ role: 'user', content: 'Reply in JSON' }], max_tokens: MAX_TOKENS, temperature: 0,
      response_format: { type: 'json_schema', json_schema: { name: 'reply', strict: true, schema: REPLY_SCHEMA } },
    });
    assert.equal(answer.choices[0]!.finish_reason, 'stop');
    assertReply(JSON.parse(answer.choices[0]!.message.content ?? ''));
    usages.push(answer.usage!);
  });

  test('the proxy billed exactly the adjusted usage of these answers', async () => {
    const expected = usages.reduce((sum, usage) => sum + billedTotal(usage), 0);
    assert.equal(await ledgerTokens(), expected, logs.tail());
  });

  test('Vercel AI SDK: generateText with a tool, generateObject with a schema; both billed', async () => {
    const provider = createOpenAICompatible({ name: 'cocoon', baseURL: network.baseUrl, apiKey: 'unused', supportsStructuredOutputs: true });
    const before = await ledgerTokens();
    const text = await generateText({
      model: provider(MODEL), prompt: 'What is the time in Berlin?', maxOutputTokens: MAX_TOKENS, temperature: 0, maxRetries: 0, toolChoice: 'required',
      tools: { get_time: tool({ description: 'Time in a zone', inputSchema: jsonSchema<{ zone: 'UTC' | 'CET' }>({ type: 'object', properties: { zone: { type: 'string', enum: ['UTC', 'CET'] } }, required: ['zone'], additionalProperties: false }) }) },
    });
    assert.equal(text.finishReason, 'tool-calls');
    assert.equal(text.toolCalls.length, 1);
    assert.equal(text.toolCalls[0]!.toolName, 'get_time');
    assert.ok(['UTC', 'CET'].includes((text.toolCalls[0]!.input as { zone: string }).zone));
    const afterText = await ledgerTokens();
    assert.ok(afterText > before, `billed ${afterText - before} tokens for generateText`);
    const { object } = await generateObject({
      model: provider(MODEL), prompt: 'Reply in JSON', maxOutputTokens: MAX_TOKENS, temperature: 0, maxRetries: 0,
      schema: jsonSchema<{ ok: boolean; color: 'red' | 'green'; count: number }>(REPLY_SCHEMA as never),
    });
    assertReply(object);
    assert.ok((await ledgerTokens()) > afterText, 'generateObject was billed');
  });
});
