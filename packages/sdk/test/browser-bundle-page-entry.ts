/**
 * The page half of browser-bundle.test.ts: bundled from @cocoon/protocol/browser by bundleForBrowser
 * and run in chromium, it seals a chat request end to end with the e2e API (HPKE on the page's
 * WebCrypto), opens it as a worker would, answers with a sealed chunk and a signed receipt, and does
 * TL round trips of the e2e message; the TL codec's Buffer is the one the bundle injects. It reports
 * plain JSON facts for the test to check (the test asserts, the page only measures).
 */
import {
  CocoonError, E2eRequestOpener, E2eRequestSealer, decodeBoxed, decodeBoxedAs, e2eReceiptBodyFor, encodeBoxed, generateE2eKeyPair, modelBaseName,
  signReceipt, toHex,
} from '@cocoon/protocol/browser';
import type { VerifiedE2eKey } from '@cocoon/protocol/browser';

export const PAGE_MODEL = 'Qwen/Qwen3-0.6B@main:0123abcd';
export const PAGE_PROMPT = 'a secret prompt ünïcödé 😀';
const NOW_MS = 1_765_000_000_000;

export interface BrowserCheckResult {
  userAgent: string;
  /** `typeof globalThis.Buffer` on the page: the bundle brings its own, the page has none. */
  pageBuffer: string;
  /** `global === globalThis` (the bundle defines `global` as `globalThis`). */
  globalIsGlobalThis: boolean;
  tl: { reencodedEqual: boolean; model: string; recipients: number; bytesAreBuffers: boolean; header: { name: string; value: string }; longValue: string };
  hpke: { sealedBytes: number; promptInClear: boolean; openedPayload: string; answer: string; final: boolean; receiptStatus: number; costNanoton: string; keyMatches: boolean };
  tampered: { isCocoonError: boolean; code: string };
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const bytesEqual = (left: Uint8Array, right: Uint8Array): boolean => left.length === right.length && left.every((byte, index) => byte === right[index]);

export async function runBrowserCheck(): Promise<BrowserCheckResult> {
  const now = (): number => NOW_MS;
  const worker = await generateE2eKeyPair();
  const key: VerifiedE2eKey = {
    hpkePublicKey: worker.hpkePublicKey, signingPublicKey: worker.signingPublicKey, model: PAGE_MODEL, validUntil: NOW_MS / 1000 + 3600,
    imageHash: new Uint8Array(32).fill(7), tee: 'tdx', coefficient: 1000, evidenceHash: new Uint8Array(32).fill(9),
  };
  const payload = new TextEncoder().encode(JSON.stringify({ model: modelBaseName(PAGE_MODEL), messages: [{ role: 'user', content: PAGE_PROMPT }] }));
  const sealed = await new E2eRequestSealer({ now }).seal({
    httpRequest: { method: 'POST', url: '/v1/chat/completions', headers: [{ name: 'Content-Type', value: 'application/json' }], payload },
    model: modelBaseName(PAGE_MODEL), maxTokens: 64, maxCoefficient: 4000, timeoutMs: 30_000, recipients: [key],
  });

  // TL: the sealed ext.e2eRequest decodes to its fields and re-encodes to the same bytes; a string and a long round trip.
  const requestBuffer = Buffer.from(sealed.bytes);
  const request = decodeBoxedAs(requestBuffer, 'ext.e2eRequest');
  const header = decodeBoxed(encodeBoxed<'http.header'>({ _: 'http.header', name: 'x-ünï', value: PAGE_PROMPT }));
  const ping = decodeBoxedAs(encodeBoxed<'tcp.ping'>({ _: 'tcp.ping', id: -(2n ** 63n) }), 'tcp.ping');

  // HPKE: the worker side opens, answers with one final sealed chunk and a signed receipt; the page opens and verifies them.
  const opened = await new E2eRequestOpener({ keys: () => [worker], model: PAGE_MODEL, now }).open(sealed.bytes);
  const chunk = opened.answer.seal(new TextEncoder().encode('data: [DONE]\n\n'), true);
  const receipt = signReceipt(e2eReceiptBodyFor(opened, {
    status: 0, model: PAGE_MODEL, coefficient: 1000, pricePerToken: 20n, costNanoton: 360n, workerStartMs: BigInt(NOW_MS), workerEndMs: BigInt(NOW_MS + 5), proxy: 'EQproxy',
    tokensUsed: { _: 'tokensUsed', prompt_tokens_used: 11n, cached_tokens_used: 0n, completion_tokens_used: 7n, reasoning_tokens_used: 0n, total_tokens_used: 18n },
  }), worker.signingPrivateKey);
  const answer = sealed.answer.open(chunk);
  sealed.answer.finish();
  const verified = sealed.answer.verifyReceipt(receipt);

  // A flipped ciphertext byte is refused with the error table's code, as a CocoonError of the bundle
  // (decoded bytes fields are views into the input: their offset is where the ciphertext starts).
  const tamperedBytes = Uint8Array.from(sealed.bytes);
  const ciphertextAt = request.ciphertext.byteOffset - requestBuffer.byteOffset;
  tamperedBytes[ciphertextAt] = (tamperedBytes[ciphertextAt] ?? 0) ^ 1;
  let tampered = { isCocoonError: false, code: 'none' };
  try {
    await new E2eRequestOpener({ keys: () => [worker], model: PAGE_MODEL, now }).open(tamperedBytes);
  } catch (error) {
    tampered = { isCocoonError: error instanceof CocoonError, code: String((error as { code?: unknown }).code) };
  }

  return {
    userAgent: (globalThis as { navigator?: { userAgent: string } }).navigator?.userAgent ?? 'none',
    pageBuffer: typeof (globalThis as { Buffer?: unknown }).Buffer,
    globalIsGlobalThis: global === globalThis,
    tl: {
      reencodedEqual: bytesEqual(encodeBoxed(request), sealed.bytes),
      model: request.header.model,
      recipients: request.recipients.length,
      bytesAreBuffers: Buffer.isBuffer(request.ciphertext) && Buffer.isBuffer(request.header.request_id),
      header: { name: String(header.name), value: String(header.value) },
      longValue: ping.id.toString(),
    },
    hpke: {
      sealedBytes: sealed.bytes.length,
      promptInClear: text(sealed.bytes).includes('secret prompt'),
      openedPayload: text(opened.http.payload),
      answer: text(answer.plaintext),
      final: answer.final,
      receiptStatus: verified.status,
      costNanoton: verified.costNanoton.toString(),
      keyMatches: toHex(verified.key.hpkePublicKey) === toHex(worker.hpkePublicKey),
    },
    tampered,
  };
}
