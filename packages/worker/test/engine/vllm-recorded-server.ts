/**
 * A fake vLLM server for tests that replays a recorded answer in vLLM's exact wire shapes
 * (OpenAI-compatible server of vLLM 0.10: `stop_reason`, `reasoning_content`,
 * `prompt_logprobs`, `kv_transfer_params`, `owned_by: "vllm"`, `{error: {…, code: 400}}`,
 * empty 200 on /health). The recorded pieces are cut to max_tokens and streamed with a small
 * delay; it counts the streams still open, so tests can see aborted ones being dropped.
 * Tool calls as vLLM's hermes parser (`--enable-auto-tool-choice --tool-call-parser hermes`)
 * answers them: `chatcmpl-tool-…` ids, `content: null`, streamed as a name delta then argument
 * deltas, finish_reason `tool_calls`; the recorded arguments of the conformance suite's tools.
 * `response_format` (guided decoding) answers the recorded JSON; `n` repeats the choice.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const VLLM_MODEL = 'Qwen/Qwen3-0.6B';
/** A recorded answer: its token pieces and the prompt token count vLLM reported for it. */
export const VLLM_RECORDING = {
  pieces: ['Hello', '!', ' How', ' can', ' I', ' help', ' you', ' today', '?'],
  promptTokens: 12,
  cachedTokens: 0,
  created: 1_752_000_000,
};

/** Recorded tool call arguments per function name (the conformance suite's tools). */
export const VLLM_TOOL_RECORDINGS: Readonly<Record<string, string>> = { get_weather: '{"city": "Paris"}', get_time: '{"zone": "UTC"}' };
/** Recorded guided-decoding answers: json_schema (the conformance suite's schema) and json_object. */
export const VLLM_JSON_RECORDINGS = { json_schema: ['{"answer": ', '"yes", "ok": true, ', '"count": 3, "color": "green"}'], json_object: ['{"answer": "yes"}'] };

export interface VllmRecordedServer {
  url: string;
  /** Streams being written right now. */
  readonly openStreams: number;
  close(): Promise<void>;
}

type JsonObject = Record<string, unknown>;

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

const badRequest = (response: ServerResponse, message: string): void =>
  sendJson(response, 400, { error: { message, type: 'BadRequestError', param: null, code: 400 } });

async function readJson(request: IncomingMessage): Promise<JsonObject | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

/** The recorded tool call vLLM answers a chat with `tools` (unless tool_choice is none or the last message is a tool result). */
function recordedToolCall(body: JsonObject): { id: string; name: string; arguments: string } | undefined {
  const tools = Array.isArray(body.tools) ? (body.tools as JsonObject[]) : [];
  const messages = Array.isArray(body.messages) ? (body.messages as JsonObject[]) : [];
  if (tools.length === 0 || body.tool_choice === 'none') return undefined;
  if (messages.at(-1)?.role === 'tool' && body.tool_choice !== 'required' && typeof body.tool_choice !== 'object') return undefined;
  const named = ((body.tool_choice as JsonObject | undefined)?.function as JsonObject | undefined)?.name;
  const name = typeof named === 'string' ? named : String((tools[0]?.function as JsonObject | undefined)?.name ?? 'tool');
  return { id: 'chatcmpl-tool-8c5a1f0e3b7d4e2a9f6c0b1d2e3f4a5b', name, arguments: VLLM_TOOL_RECORDINGS[name] ?? '{}' };
}

export async function startVllmRecordedServer(chunkDelayMs = 3): Promise<VllmRecordedServer> {
  let openStreams = 0;
  let counter = 0;

  async function complete(request: IncomingMessage, response: ServerResponse, kind: 'chat' | 'completion'): Promise<void> {
    const body = await readJson(request);
    if (body === undefined) return badRequest(response, 'Expecting value: line 1 column 1 (char 0)');
    if (kind === 'chat' && !Array.isArray(body.messages)) return badRequest(response, "1 validation error: 'messages' Input should be a valid list");
    if (kind === 'completion' && typeof body.prompt !== 'string') return badRequest(response, "1 validation error: 'prompt' Input should be a valid string");
    if (body.model !== VLLM_MODEL) return sendJson(response, 404, { error: { message: `The model \`${String(body.model)}\` does not exist.`, type: 'NotFoundError', param: null, code: 404 } });
    const limit = typeof body.max_tokens === 'number' ? body.max_tokens : VLLM_RECORDING.pieces.length;
    const toolCall = kind === 'chat' ? recordedToolCall(body) : undefined;
    const format = (body.response_format as JsonObject | undefined)?.type;
    const recorded = kind === 'chat' && (format === 'json_schema' || format === 'json_object') ? VLLM_JSON_RECORDINGS[format] : VLLM_RECORDING.pieces;
    const pieces = toolCall !== undefined ? [toolCall.arguments] : recorded.slice(0, limit);
    const finishReason = toolCall !== undefined ? 'tool_calls' : pieces.length < recorded.length ? 'length' : 'stop';
    const choices = typeof body.n === 'number' ? body.n : 1;
    const completionTokens = pieces.length * choices;
    const usage = { prompt_tokens: VLLM_RECORDING.promptTokens, total_tokens: VLLM_RECORDING.promptTokens + completionTokens, completion_tokens: completionTokens, prompt_tokens_details: null };
    counter += 1;
    const base = { id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${counter.toString(16).padStart(32, '0')}`, created: VLLM_RECORDING.created, model: VLLM_MODEL };
    const indexes = Array.from({ length: choices }, (_, index) => index);
    if (body.stream !== true) {
      const message = toolCall === undefined
        ? { role: 'assistant', reasoning_content: null, content: pieces.join(''), tool_calls: [] }
        : { role: 'assistant', reasoning_content: null, content: null, tool_calls: [{ id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: toolCall.arguments } }] };
      const choiceList = indexes.map((index) => (kind === 'chat'
        ? { index, message, logprobs: null, finish_reason: finishReason, stop_reason: null }
        : { index, text: pieces.join(''), logprobs: null, finish_reason: finishReason, stop_reason: null, prompt_logprobs: null }));
      return sendJson(response, 200, { ...base, object: kind === 'chat' ? 'chat.completion' : 'text_completion', choices: choiceList, usage, prompt_logprobs: null, kv_transfer_params: null });
    }
    const object = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    const events: object[] = [];
    for (const index of indexes) {
      const chat = (delta: object, finish: string | null) => ({ ...base, object, choices: [{ index, delta, logprobs: null, finish_reason: finish, ...(finish === null ? {} : { stop_reason: null }) }] });
      if (kind === 'chat') events.push(chat({ role: 'assistant', content: '' }, null));
      if (toolCall !== undefined) {
        events.push(chat({ tool_calls: [{ id: toolCall.id, type: 'function', index: 0, function: { name: toolCall.name } }] }, null));
        for (const part of [toolCall.arguments.slice(0, 9), toolCall.arguments.slice(9)]) events.push(chat({ tool_calls: [{ index: 0, function: { arguments: part } }] }, null));
      } else {
        for (const piece of pieces) {
          events.push(kind === 'chat' ? chat({ content: piece }, null) : { ...base, object, choices: [{ index, text: piece, logprobs: null, finish_reason: null, stop_reason: null }] });
        }
      }
      events.push(kind === 'chat' ? chat({ content: '' }, finishReason) : { ...base, object, choices: [{ index, text: '', logprobs: null, finish_reason: finishReason, stop_reason: null }] });
    }
    const streamOptions = body.stream_options as JsonObject | undefined;
    if (streamOptions?.include_usage === true) events.push({ ...base, object, choices: [], usage: { ...usage, prompt_tokens_details: undefined } });
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    openStreams += 1;
    try {
      for (const event of events) {
        if (response.destroyed) return;
        response.write(`data: ${JSON.stringify(event)}\n\n`);
        await new Promise((resolve) => setTimeout(resolve, chunkDelayMs));
      }
      response.end('data: [DONE]\n\n');
    } finally {
      openStreams -= 1;
    }
  }

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const handle = async (): Promise<void> => {
      if (request.method === 'POST' && path === '/v1/chat/completions') return complete(request, response, 'chat');
      if (request.method === 'POST' && path === '/v1/completions') return complete(request, response, 'completion');
      if (request.method === 'GET' && path === '/health') {
        response.writeHead(200, { 'content-length': 0 });
        return void response.end();
      }
      if (request.method === 'GET' && path === '/v1/models') {
        const permission = [{ id: 'modelperm-0', object: 'model_permission', created: VLLM_RECORDING.created, allow_create_engine: false, allow_sampling: true, allow_logprobs: true, allow_search_indices: false, allow_view: true, allow_fine_tuning: false, organization: '*', group: null, is_blocking: false }];
        return sendJson(response, 200, { object: 'list', data: [{ id: VLLM_MODEL, object: 'model', created: VLLM_RECORDING.created, owned_by: 'vllm', root: VLLM_MODEL, parent: null, max_model_len: 4096, permission }] });
      }
      request.resume();
      sendJson(response, 404, { detail: 'Not Found' });
    };
    handle().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get openStreams() {
      return openStreams;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
