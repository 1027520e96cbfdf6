/**
 * Measures the proto-3 request encryption (docs/protocol.md §20) on this machine: the app encrypting a
 * typical chat request and the worker decrypting it; the worker encrypting a 50-chunk streamed answer
 * (each SSE object on its own, as it leaves) and the app decrypting it; the key agreement alone.
 * Medians in microseconds, printed as one JSON object: first with the pure-JS @noble primitives (what a
 * browser runs), then with node:crypto's native ones (what the worker runs), the latter prefixed `node_`.
 * Run: npm run bench:encryption [-- runs]   (node --import tsx packages/protocol/bench/encryption-benchmark.ts [runs])
 */
import {
  KeyAgreement, SseAnswerDecryptor, canonicalJson, nobleEncryptionPrimitives, nodeEncryptionPrimitives, setEncryptionPrimitives, directionSecret, ed25519PublicKeyOf, encryptRequest, openJsonObject, sealJsonText, x25519SharedSecret,
} from '../src/index.ts';
import type { JsonObject } from '../src/index.ts';

const runs = Number(process.argv[2] ?? 200);
const appKey = new Uint8Array(32).fill(0x11);
const networkKey = new Uint8Array(32).fill(0x22);
const appPublic = ed25519PublicKeyOf(appKey);
const networkPublic = ed25519PublicKeyOf(networkKey);
const app = { senderKey: appKey, receiverPublicKey: networkPublic };

/** A typical chat request: a system prompt and four turns (about 2 KB of text). */
const chatRequest: JsonObject = {
  model: 'Qwen/Qwen3-32B',
  messages: [
    { role: 'system', content: 'You are a concise assistant. Answer in the language of the question. '.repeat(3) },
    ...Array.from({ length: 4 }, (_, index) => ({ role: index % 2 === 0 ? 'user' : 'assistant', content: `turn ${index}: ${'lorem ipsum dolor sit amet, consectetur adipiscing elit '.repeat(6)}` })),
  ],
  max_tokens: 512, temperature: 0.7, top_p: 0.95, stream: true, stop: ['\n\n'],
};

/** One streamed chunk as vLLM sends it (a token or two of content). */
const chunk = (index: number): JsonObject => ({
  id: 'chatcmpl-8f1c2e7a9b', object: 'chat.completion.chunk', created: 1_765_000_000, model: 'Qwen/Qwen3-32B',
  choices: [{ index: 0, delta: { content: ` word${index}` }, logprobs: null, finish_reason: index === 49 ? 'stop' : null }],
});
const chunks = Array.from({ length: 50 }, (_, index) => chunk(index));
const chunkTexts = chunks.map((value) => JSON.stringify(value));

function medianMicros(run: () => unknown): number {
  for (let index = 0; index < Math.min(20, runs); index++) run(); // warm up
  const samples: number[] = [];
  for (let index = 0; index < runs; index++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  samples.sort((a, b) => a - b);
  return Math.round(samples[Math.floor(samples.length / 2)]! * 10) / 10;
}

const encryptedRequest = encryptRequest(chatRequest, app);
/** As the worker's AnswerEncryptor: one key agreement per stream, a fresh nonce per chunk. */
const sealAnswer = () => {
  const agreement = new KeyAgreement(networkKey);
  return chunkTexts.map((text) => `data: ${sealJsonText(JSON.parse(text) as JsonObject, { senderPrivateKey: networkKey, receiverPublicKey: appPublic, direction: 'w', agreement })}\n\n`).join('');
};
const encryptedStream = `${sealAnswer()}data: [DONE]\n\n`;

const measure = () => ({
  app_encrypt_request_us: medianMicros(() => encryptRequest(chatRequest, app)),
  worker_decrypt_request_us: medianMicros(() => openJsonObject(JSON.parse(encryptedRequest) as JsonObject, { privateKey: networkKey, direction: 'c' })),
  worker_encrypt_50_chunks_us: medianMicros(sealAnswer),
  app_decrypt_50_chunks_us: medianMicros(() => new SseAnswerDecryptor(app).push(encryptedStream)),
});

setEncryptionPrimitives(nobleEncryptionPrimitives);
const noble = measure();
setEncryptionPrimitives(nodeEncryptionPrimitives);
const native = measure();
const results = {
  runs,
  request_bytes: canonicalJson(chatRequest).length,
  encrypted_request_bytes: encryptedRequest.length,
  stream_chunks: chunks.length,
  stream_bytes: chunkTexts.reduce((sum, text) => sum + text.length + 8, 0),
  encrypted_stream_bytes: encryptedStream.length,
  ...noble,
  ...Object.fromEntries(Object.entries(native).map(([name, value]) => [`node_${name}`, value])),
  key_agreement_us: medianMicros(() => directionSecret(x25519SharedSecret(networkKey, appPublic), 'nonce', 'w')),
};
console.log(JSON.stringify(results, null, 2));
