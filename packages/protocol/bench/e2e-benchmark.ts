/**
 * Measures the end-to-end encryption (docs/protocol.md §22) on this machine: sealing a typical chat
 * request to 3 recipients and opening it (warm HPKE caches), sealing and opening one streamed answer
 * chunk, signing and verifying a receipt, the first request to a key (the HPKE setups), and the bytes
 * e2e adds per request and per chunk. Medians in microseconds of CPU time per call (batches of 10; a
 * node_wall_ figure for comparison), with the @noble primitives (what a
 * browser runs) and node:crypto's (what runners run, `node_` prefix). The last line is one JSON object.
 * Run: npm run bench:e2e [-- runs]   (node --import tsx packages/protocol/bench/e2e-benchmark.ts [runs])
 */
import { loadavg } from 'node:os';
import {
  E2eHpkeRecipientCache, E2eHpkeSenderCache, E2eRequestOpener, E2eRequestSealer, encodeBoxed, generateE2eKeyPair, nobleE2ePrimitives,
  nodeE2ePrimitives, setE2ePrimitives, signReceipt, verifyReceiptSignature, e2eReceiptBodyFor, webCryptoHpkeSetup,
} from '../src/index.ts';
import type { E2ePrimitives, ExtE2eReceiptBody, VerifiedE2eKey } from '../src/index.ts';

const runs = Number(process.argv[2] ?? 300);
const MODEL = 'Qwen/Qwen3-32B@main:0123456789abcdef';

const payload = new TextEncoder().encode(JSON.stringify({
  model: 'Qwen/Qwen3-32B',
  messages: [
    { role: 'system', content: 'You are a concise assistant. Answer in the language of the question. '.repeat(3) },
    ...Array.from({ length: 4 }, (_, index) => ({ role: index % 2 === 0 ? 'user' : 'assistant', content: `turn ${index}: ${'lorem ipsum dolor sit amet, consectetur adipiscing elit '.repeat(6)}` })),
  ],
  max_tokens: 512, temperature: 0.7, stream: true,
}));
const httpRequest = { method: 'POST', url: '/v1/chat/completions', headers: [{ name: 'Content-Type', value: 'application/json' }], payload };
const sseChunk = new TextEncoder().encode(`data: ${JSON.stringify({
  id: 'chatcmpl-8f1c2e7a9b', object: 'chat.completion.chunk', created: 1_765_000_000, model: 'Qwen/Qwen3-32B',
  choices: [{ index: 0, delta: { content: ' word' }, logprobs: null, finish_reason: null }],
})}\n\n`);

const BATCH = 10;

/**
 * Median microseconds per call, of CPU time (process.cpuUsage) over batches of BATCH calls: on a busy
 * machine this counts the work done, not the time spent waiting for a core. Wall-clock medians are
 * printed too (`wall_` prefix) for an idle machine.
 */
async function medianMicros(run: () => unknown): Promise<number> {
  for (let index = 0; index < Math.min(30, runs); index++) await run();
  const samples: number[] = [];
  const wall: number[] = [];
  for (let batch = 0; batch < Math.ceil(runs / BATCH); batch++) {
    const startCpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let index = 0; index < BATCH; index++) await run();
    wall.push(Number(process.hrtime.bigint() - start) / 1000 / BATCH);
    const used = process.cpuUsage(startCpu);
    samples.push((used.user + used.system) / BATCH);
  }
  const median = (values: number[]) => Math.round(values.sort((a, b) => a - b)[Math.floor(values.length / 2)]! * 10) / 10;
  lastWall = median(wall);
  return median(samples);
}
let lastWall = 0;
const wallOf = async (run: () => unknown) => {
  await medianMicros(run);
  return lastWall;
};

const pairs = await Promise.all([1, 2, 3].map(() => generateE2eKeyPair()));
const keys: VerifiedE2eKey[] = pairs.map((pair) => ({
  hpkePublicKey: pair.hpkePublicKey, signingPublicKey: pair.signingPublicKey, model: MODEL, validUntil: 2_000_000_000,
  imageHash: new Uint8Array(32), tee: 'tdx', coefficient: 1000, evidenceHash: new Uint8Array(32),
}));
const input = (recipients: readonly VerifiedE2eKey[]) => ({ httpRequest, model: 'Qwen/Qwen3-32B', maxTokens: 512, maxCoefficient: 4000, timeoutMs: 60_000, recipients });

async function measure(primitives: E2ePrimitives) {
  setE2ePrimitives(primitives);
  const sealer = new E2eRequestSealer();
  // The worker's replay memory would refuse the same request twice: the open benchmark seals a fresh one each time (not timed).
  const opener = new E2eRequestOpener({ keys: () => [pairs[0]!], model: MODEL, maxRemembered: 1_000_000 });
  const sealed3 = await sealer.seal(input(keys));
  await opener.open(sealed3.bytes); // warms the recipient cache
  const seal1 = await medianMicros(() => sealer.seal(input(keys.slice(0, 1))));
  const seal3 = await medianMicros(() => sealer.seal(input(keys)));
  const fresh: Uint8Array[] = [];
  for (let index = 0; index < runs + 40; index++) fresh.push((await sealer.seal(input(keys))).bytes);
  const open = await medianMicros(() => opener.open(fresh.pop()!));

  const opened = await opener.open((await sealer.seal(input(keys))).bytes);
  const chunkSeal = await medianMicros(() => opened.answer.seal(sseChunk, false));
  const chunkOpen = await (async () => {
    const sealedRequest = await sealer.seal(input(keys));
    const openedRequest = await opener.open(sealedRequest.bytes);
    const chunks = Array.from({ length: runs + 40 }, () => openedRequest.answer.seal(sseChunk, false));
    let index = 0;
    return medianMicros(() => sealedRequest.answer.open(chunks[index++]!));
  })();
  const body: ExtE2eReceiptBody = e2eReceiptBodyFor(opened, {
    status: 0, model: MODEL, tokensUsed: { _: 'tokensUsed', prompt_tokens_used: 500n, cached_tokens_used: 0n, completion_tokens_used: 200n, reasoning_tokens_used: 0n, total_tokens_used: 700n },
    coefficient: 1000, pricePerToken: 20n, costNanoton: 14_000n, workerStartMs: 1n, workerEndMs: 2n, proxy: 'EQ'.padEnd(48, 'x'),
  });
  const receiptSign = await medianMicros(() => signReceipt(body, pairs[0]!.signingPrivateKey));
  const signed = signReceipt(body, pairs[0]!.signingPrivateKey);
  const receiptVerify = await medianMicros(() => verifyReceiptSignature(signed, pairs[0]!.signingPublicKey));
  return {
    seal_request_1_recipient_us: seal1, seal_request_3_recipients_us: seal3, open_request_us: open,
    seal_chunk_us: chunkSeal, open_chunk_us: chunkOpen, receipt_sign_us: receiptSign, receipt_verify_us: receiptVerify,
    /** What e2e adds to one request with a 50-chunk answer: seal + open + 50 × chunk seal/open + receipt sign/verify. */
    path_added_50_chunks_us: Math.round((seal3 + open + 50 * (chunkSeal + chunkOpen) + receiptSign + receiptVerify) * 10) / 10,
  };
}

const noble = await measure(nobleE2ePrimitives);
const node = await measure(nodeE2ePrimitives);

// The first request to a key: the HPKE setups (each side once per client↔key; then cached).
const senderSetup = await medianMicros(() => new E2eHpkeSenderCache().context(pairs[0]!.hpkePublicKey));
const { enc } = await webCryptoHpkeSetup.sender(pairs[0]!.hpkePublicKey);
const recipientSetup = await medianMicros(() => new E2eHpkeRecipientCache().secret(pairs[0]!.hpkePublicKey, pairs[0]!.hpkePrivateKey, enc));

const calibrationInput = new Uint8Array(32);
const warmSenders = new E2eHpkeSenderCache();
await new E2eRequestSealer({ hpke: warmSenders }).seal(input(keys));

// Sizes: what a request and a chunk grow by.
const plainRequest = encodeBoxed<'http.request'>({ _: 'http.request', method: 'POST', url: '/v1/chat/completions', http_version: 'HTTP/1.1', headers: [{ _: 'http.header', name: 'Content-Type', value: 'application/json' }], payload: Buffer.from(payload) });
const sizeSealer = new E2eRequestSealer();
const request1 = await sizeSealer.seal(input(keys.slice(0, 1)));
const request3 = await sizeSealer.seal(input(keys));
const sizeOpened = await new E2eRequestOpener({ keys: () => [pairs[0]!], model: MODEL }).open(request1.bytes);
const chunkBytes = sizeOpened.answer.seal(sseChunk, false);
const receiptBytes = encodeBoxed(signReceipt(e2eReceiptBodyFor(sizeOpened, {
  status: 0, model: MODEL, tokensUsed: { _: 'tokensUsed', prompt_tokens_used: 1n, cached_tokens_used: 0n, completion_tokens_used: 1n, reasoning_tokens_used: 0n, total_tokens_used: 2n },
  coefficient: 1000, pricePerToken: 20n, costNanoton: 40n, workerStartMs: 1n, workerEndMs: 2n, proxy: 'EQ'.padEnd(48, 'x'),
}), pairs[0]!.signingPrivateKey));

const sealWall = await wallOf(() => new E2eRequestSealer({ hpke: warmSenders }).seal(input(keys)));
const result = {
  runs,
  load_average_1m: Math.round(loadavg()[0]! * 10) / 10,
  /** A yardstick for this machine's speed right now: node:crypto SHA-256 of 32 bytes (well under 1 µs on an idle core). */
  calibration_node_sha256_32_bytes_us: await medianMicros(() => nodeE2ePrimitives.sha256(calibrationInput)),
  node_wall_seal_request_3_recipients_us: sealWall,
  ...noble,
  ...Object.fromEntries(Object.entries(node).map(([name, value]) => [`node_${name}`, value])),
  first_request_sender_hpke_setup_us: senderSetup,
  first_request_recipient_hpke_setup_us: recipientSetup,
  request_plain_bytes: plainRequest.length,
  request_overhead_1_recipient_bytes: request1.bytes.length - plainRequest.length,
  request_overhead_3_recipients_bytes: request3.bytes.length - plainRequest.length,
  chunk_plain_bytes: sseChunk.length,
  chunk_overhead_bytes: chunkBytes.length - sseChunk.length,
  receipt_bytes: receiptBytes.length,
};
for (const [name, value] of Object.entries(result)) console.log(`${name.padEnd(40)} ${value}`);
console.log(JSON.stringify(result));
