/**
 * The chaos suite's bounded app load: a few loops, each sending one request at a time to the
 * client's OpenAI API (streamed and not, alternating), each asking the network for a `timeout`
 * and reading the usage the app is shown. Every request ends as a ChaosRequestRecord: answered
 * (with its adjusted tokens, §5), error, or hung (the harness had to abort it well past its
 * timeout: the network never ended it).
 */
import { adjustTokens, DEFAULT_MULTIPLIERS } from '@cocoon/protocol';
import type { ChaosRequestRecord } from '@cocoon/test-support';

export interface ChaosLoadOptions {
  /** The client's OpenAI base URL (`http://127.0.0.1:PORT/v1`). */
  baseUrl: string;
  model: string;
  /** Concurrent request loops. */
  concurrency: number;
  /** The `timeout` each request asks for. */
  timeoutMs: number;
  /** The harness aborts a request this long after its timeout and records it as hung. */
  hangAfterMs: number;
  /** Pause after an error (a killed client refuses connections at once). */
  pauseAfterErrorMs?: number;
  now?: () => number;
}

interface Usage { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number }; completion_tokens_details?: { reasoning_tokens?: number } }

/** The adjusted tokens (coefficient 1000, the dev root's multipliers) of the usage an app saw. */
export function deliveredTokens(usage: Usage): number {
  return adjustTokens({
    promptTokens: usage.prompt_tokens ?? 0, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    completionTokens: usage.completion_tokens ?? 0, reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  }, 1000, DEFAULT_MULTIPLIERS).total;
}

/** Reads an SSE answer to the end: the usage of its last usage chunk, or why it is not an answer. */
async function readStream(response: Response): Promise<Usage> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let usage: Usage | undefined;
  let done = false;
  for (;;) {
    const read = await reader.read();
    if (read.done) break;
    buffered += decoder.decode(read.value, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') { done = true; continue; }
      const event = JSON.parse(data) as { usage?: Usage; error?: { message?: string } };
      if (event.error) throw new Error(`stream error: ${event.error.message ?? JSON.stringify(event.error)}`);
      if (event.usage) usage = event.usage;
    }
  }
  if (!done) throw new Error('stream ended without [DONE]');
  if (!usage) throw new Error('stream ended without usage');
  return usage;
}

export class ChaosLoad {
  readonly records: ChaosRequestRecord[] = [];
  private running = false;
  private loops: Array<Promise<void>> = [];
  private nextId = 0;
  private readonly now: () => number;

  constructor(private readonly options: ChaosLoadOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Starts the loops; they run until stop(). */
  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, async (_, loop) => {
      for (let round = 0; this.running; round++) {
        const record = await this.request((loop + round) % 2 === 0);
        if (record.outcome !== 'answered') await new Promise((resolve) => setTimeout(resolve, this.options.pauseAfterErrorMs ?? 250));
      }
    });
  }

  /** Stops sending; resolves once every request in flight has ended. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  answered(): number {
    return this.records.filter((record) => record.outcome === 'answered').length;
  }

  /** One request; its record (also kept in `records`), never a throw. */
  async request(stream: boolean): Promise<ChaosRequestRecord> {
    const id = this.nextId++;
    const { timeoutMs, hangAfterMs } = this.options;
    const startedAt = this.now();
    const body = {
      model: this.options.model, stream, timeout: timeoutMs / 1000,
      messages: [{ role: 'user', content: `chaos request ${id}: say something` }],
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    };
    const guard = AbortSignal.timeout(timeoutMs + hangAfterMs);
    let record: ChaosRequestRecord;
    try {
      const response = await fetch(`${this.options.baseUrl}/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: guard,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
      let usage: Usage;
      if (stream) usage = await readStream(response);
      else {
        const answer = await response.json() as { usage?: Usage; choices?: Array<{ message?: { content?: string } }> };
        if (!answer.usage) throw new Error('answer without usage');
        usage = answer.usage;
      }
      record = { id, stream, startedAt, endedAt: this.now(), timeoutMs, outcome: 'answered', deliveredTokens: deliveredTokens(usage) };
    } catch (error) {
      const hung = guard.aborted;
      const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
      const refused = error instanceof Error && (error.cause as { code?: unknown } | undefined)?.code === 'ECONNREFUSED';
      record = { id, stream, startedAt, endedAt: this.now(), timeoutMs, outcome: hung ? 'hung' : 'error', deliveredTokens: 0, error: message, ...(refused ? { refused } : {}) };
    }
    this.records.push(record);
    return record;
  }
}
