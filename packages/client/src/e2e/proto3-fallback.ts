/**
 * The `e2e_fallback: "proto3"` path (§22 → §20): when end-to-end encryption was required but no e2e path
 * exists, the runner itself encrypts the request with the reference's proto-3 field encryption to the
 * newest registered network key (what `GET /v1/encryption/keys` lists first), with a fresh sender key
 * per request, sends it through the protocol gateway, and decrypts the answer (every SSE `data:` object
 * on its own, or the one JSON object) before the app sees it. Error answers are clear, as the worker
 * sends them. The answer says `X-Cocoon-E2E: proto3`: it is not end-to-end (the network key is shared by
 * the key managers, proxies and workers, §20). A request the app already encrypted goes as it is.
 */
import { randomBytes } from 'node:crypto';
import { CocoonError, SseAnswerDecryptor, decryptAnswer, encryptRequest } from '@cocoon/protocol';
import type { RequestEncryptionKeys, SseAnswerEvent } from '@cocoon/protocol';
import type { GatewayAnswer, GatewayRequest, InferenceGateway } from '../http/index.ts';
import { encryptionKeysBody } from '../http/encryption-keys-body.ts';
import type { EncryptionKeysSource } from '../http/encryption-keys-body.ts';
import { MAX_HELD_ANSWER_BYTES } from './e2e-sealed-answer.ts';

export interface Proto3FallbackOptions {
  inner: InferenceGateway;
  /** The registered network keys (the same source as GET /v1/encryption/keys). */
  keys: EncryptionKeysSource;
  now: () => number;
  random?: (bytes: number) => Uint8Array;
}

export class Proto3Fallback {
  constructor(private readonly options: Proto3FallbackOptions) {}

  hasKey(): boolean {
    return this.newestKey() !== undefined;
  }

  /** A request the app encrypted itself (§20): sent as it is. */
  async forward(request: GatewayRequest): Promise<GatewayAnswer> {
    const answer = await this.options.inner.run({ ...request, requireE2e: false });
    return { ...answer, headers: markedHeaders(answer.headers) };
  }

  async run(request: GatewayRequest): Promise<GatewayAnswer> {
    const receiverPublicKey = this.newestKey();
    if (receiverPublicKey === undefined) throw new CocoonError('CCN_ERR_E2E_UNAVAILABLE', 'no registered encryption key for the proto 3 fallback');
    const keys: RequestEncryptionKeys = { senderKey: (this.options.random ?? randomBytes)(32), receiverPublicKey };
    const body = Buffer.from(encryptRequest(request.body.toString('utf8'), keys), 'utf8');
    const answer = await this.options.inner.run({ ...request, body, receiverPublicKey: Buffer.from(receiverPublicKey, 'hex'), requireE2e: false });
    const headers = markedHeaders(answer.headers);
    if (answer.status < 200 || answer.status >= 300) return { ...answer, headers }; // error bodies are clear (§20)
    const events = (headers['content-type'] ?? '').startsWith('text/event-stream');
    return { ...answer, headers, body: events ? decryptedEvents(answer.body, keys) : decryptedObject(answer.body, keys) };
  }

  private newestKey(): string | undefined {
    return encryptionKeysBody(this.options.keys, Math.floor(this.options.now() / 1000)).data[0]?.public_key;
  }
}

function markedHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...headers, 'x-cocoon-e2e': 'proto3' };
  delete out['content-length'];
  return out;
}

function eventText(event: SseAnswerEvent): string {
  if (event.type === 'done') return 'data: [DONE]\n\n';
  if (event.type === 'error') return `data: ${JSON.stringify({ error: event.error })}\n\n`;
  return `data: ${JSON.stringify(event.data)}\n\n`;
}

async function* decryptedEvents(body: AsyncIterable<Buffer>, keys: RequestEncryptionKeys): AsyncGenerator<Buffer> {
  const decryptor = new SseAnswerDecryptor(keys);
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    const text = decryptor.push(decoder.decode(chunk, { stream: true })).map(eventText).join('');
    if (text.length > 0) yield Buffer.from(text, 'utf8');
  }
  const rest = decryptor.push(decoder.decode()).concat(decryptor.end()).map(eventText).join('');
  if (rest.length > 0) yield Buffer.from(rest, 'utf8');
}

async function* decryptedObject(body: AsyncIterable<Buffer>, keys: RequestEncryptionKeys): AsyncGenerator<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_HELD_ANSWER_BYTES) throw new CocoonError('CCN_ERR_ENGINE_FAILED', `the answer is larger than ${MAX_HELD_ANSWER_BYTES} bytes`);
    chunks.push(chunk);
  }
  yield Buffer.from(JSON.stringify(decryptAnswer(Buffer.concat(chunks, size).toString('utf8'), keys)), 'utf8');
}
