/**
 * Shared fixtures of the e2e tests: workers with real key pairs, their keys as a client sees them
 * once verified, a settable clock, a counting wrapper around the real HPKE setups, and a helper
 * that runs one whole worker answer (chunks + signed receipt).
 */
import type { E2eHpkeSetup, E2eKeyPair, OpenedE2eRequest, VerifiedE2eKey, TokensUsed, ExtE2eSignedReceipt } from '../../src/index.ts';
import { e2eReceiptBodyFor, encodeBoxed, generateE2eKeyPair, signReceipt, webCryptoHpkeSetup } from '../../src/index.ts';

export const MODEL = 'Qwen/Qwen3-0.6B@main:0123abcd';
export const MODEL_BASE = 'Qwen/Qwen3-0.6B';
export const START_MS = 1_765_000_000_000;

export class TestClock {
  constructor(public ms = START_MS) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function verifiedKeyOf(pair: E2eKeyPair, model = MODEL, coefficient = 1000): VerifiedE2eKey {
  return {
    hpkePublicKey: pair.hpkePublicKey, signingPublicKey: pair.signingPublicKey, model, validUntil: Math.floor(START_MS / 1000) + 3600,
    imageHash: new Uint8Array(32).fill(7), tee: 'tdx', coefficient, evidenceHash: new Uint8Array(32).fill(9),
  };
}

export async function workerKeys(count: number): Promise<E2eKeyPair[]> {
  return Promise.all(Array.from({ length: count }, () => generateE2eKeyPair()));
}

/** The real HPKE setups, counted. */
export function countingSetup(): E2eHpkeSetup & { senders: number; recipients: number } {
  const counter = {
    senders: 0,
    recipients: 0,
    sender(key: Uint8Array) {
      counter.senders++;
      return webCryptoHpkeSetup.sender(key);
    },
    recipient(publicKey: Uint8Array, privateKey: Uint8Array, enc: Uint8Array) {
      counter.recipients++;
      return webCryptoHpkeSetup.recipient(publicKey, privateKey, enc);
    },
  };
  return counter;
}

export const chatPayload = (model = MODEL_BASE, prompt = 'a secret prompt ünïcödé'): Uint8Array =>
  new TextEncoder().encode(JSON.stringify({ model, messages: [{ role: 'user', content: prompt }], max_tokens: 64, stream: true }));

export const sealInput = (recipients: readonly VerifiedE2eKey[], payload = chatPayload()) => ({
  httpRequest: { method: 'POST', url: '/v1/chat/completions', headers: [{ name: 'Content-Type', value: 'application/json' }], payload },
  model: MODEL_BASE, maxTokens: 64, maxCoefficient: 4000, timeoutMs: 30_000, recipients,
});

export const TOKENS: TokensUsed = {
  _: 'tokensUsed', prompt_tokens_used: 11n, cached_tokens_used: 0n, completion_tokens_used: 7n, reasoning_tokens_used: 0n, total_tokens_used: 18n,
};

/** The boxed http.response the worker's first chunk carries. */
export function responseHead(body: string): Uint8Array {
  return encodeBoxed<'http.response'>({
    _: 'http.response', http_version: 'HTTP/1.1', status_code: 200, reason: 'OK',
    headers: [{ _: 'http.header', name: 'Content-Type', value: 'text/event-stream' }], payload: Buffer.from(body),
  });
}

/** Worker side of a whole answer: chunk 0 (the response head) + `parts`, the last one final, then the signed receipt. */
export function answerWith(opened: OpenedE2eRequest, parts: readonly string[], status = 0): { chunks: Uint8Array[]; receipt: ExtE2eSignedReceipt } {
  const texts = ['data: {"a":0}\n\n', ...parts];
  const chunks = texts.map((text, index) => opened.answer.seal(index === 0 ? responseHead(text) : new TextEncoder().encode(text), index === texts.length - 1));
  const receipt = signReceipt(e2eReceiptBodyFor(opened, {
    status, model: MODEL, tokensUsed: TOKENS, coefficient: 1000, pricePerToken: 20n, costNanoton: 360n,
    workerStartMs: BigInt(START_MS), workerEndMs: BigInt(START_MS + 5), proxy: 'EQproxy',
  }), opened.key.signingPrivateKey);
  return { chunks, receipt };
}
