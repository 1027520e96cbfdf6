/**
 * What `npm run bench:light-client` times with the SDK, the same code in the browser and in Node
 * (browser-safe: only @cocoon/sdk types and `performance.now()`; light-client-bench-entry.ts bundles it
 * for the page, the benchmark imports it directly for Node): evidence verification of a model's workers
 * — cold (the first `attestation.verify` of a fresh SDK instance, the first in this JavaScript
 * realm), again with a second fresh instance (empty cache, code already compiled) and warm (cached
 * evidence: the listing fetch and the cache hit) — and N streamed chats one after the other, each
 * timed to its first content token and to its verified receipt.
 */
import type { Cocoon } from '@cocoon/sdk';

export interface VerificationTimes {
  /** The first verify of the first instance (listing, collateral from the relay, DCAP and certificate checks). */
  coldMs: number;
  /** The first verify of a second fresh instance (nothing cached, code compiled). */
  freshInstanceMs: number;
  /** Repeated verifies of the first instance (its evidence cached). */
  warmMs: number[];
  /** Workers whose evidence verified, and refusals, in the cold verdict. */
  verifiedWorkers: number;
  refusals: string[];
  /** `name sha256:…` of the root the workers chain to, and their TEE. */
  authority: string;
  tee: string;
}

export interface ChatSample {
  /** Request sent → first content chunk (the first token on screen). */
  ttftMs: number;
  /** Request sent → the stream's end and its receipt verified. */
  totalMs: number;
  chunks: number;
  answerChars: number;
  totalTokens: number;
  costTon: string;
}

export interface ChatRun {
  samples: ChatSample[];
  /** One line per failed request: its error code and message. */
  failures: string[];
}

export interface ChatPlan {
  model: string;
  requests: number;
  prompt: string;
}

const elapsed = (start: number): number => Math.round((performance.now() - start) * 1000) / 1000;

function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

/**
 * Times verification: `first` (a fresh SDK instance, kept verified for the chats that follow), then
 * one more from `createFresh`; throws when no worker verifies.
 */
export async function measureVerification(first: Cocoon, createFresh: () => Cocoon, model: string, warmRepeats: number): Promise<VerificationTimes> {
  let start = performance.now();
  const verdict = await first.attestation.verify(model);
  const coldMs = elapsed(start);
  if (!verdict.verified) throw new Error(`no worker of ${model} verified: ${verdict.refused.map((entry) => entry.reason).join('; ') || 'none listed'}`);
  const warmMs: number[] = [];
  for (let repeat = 0; repeat < warmRepeats; repeat++) {
    start = performance.now();
    await first.attestation.verify(model);
    warmMs.push(elapsed(start));
  }
  const second = createFresh();
  start = performance.now();
  await second.attestation.verify(model);
  const freshInstanceMs = elapsed(start);
  const worker = verdict.workers[0]!;
  return {
    coldMs, freshInstanceMs, warmMs, verifiedWorkers: verdict.workers.length, refusals: verdict.refused.map((entry) => entry.reason),
    authority: worker.authority, tee: worker.tee,
  };
}

/** Streams `requests` chats one after the other; a failed request is counted, not thrown. */
export async function measureStreamedChats(cocoon: Cocoon, plan: ChatPlan): Promise<ChatRun> {
  const samples: ChatSample[] = [];
  const failures: string[] = [];
  for (let index = 0; index < plan.requests; index++) {
    const start = performance.now();
    try {
      const stream = await cocoon.chat.completions.create({ model: plan.model, messages: [{ role: 'user', content: `${plan.prompt} (${index})` }], stream: true });
      let ttftMs: number | undefined;
      let chunks = 0;
      let answer = '';
      for await (const chunk of stream) {
        const piece = chunk.choices[0]?.delta?.content ?? '';
        if (piece === '') continue;
        ttftMs ??= elapsed(start);
        chunks += 1;
        answer += piece;
      }
      const receipt = await stream.receipt;
      const totalMs = elapsed(start);
      if (ttftMs === undefined) throw new Error('the answer carried no content');
      if (receipt.verified !== true) throw new Error('the receipt is not verified');
      samples.push({ ttftMs, totalMs, chunks, answerChars: answer.length, totalTokens: receipt.tokens_used.total, costTon: receipt.cost_ton });
    } catch (error) {
      failures.push(describeFailure(error));
    }
  }
  return { samples, failures };
}
