/**
 * A tampering proxy, played by the test-only TLS frame interposer between the client runner and the
 * real proxy (it sees and rewrites every session frame in plaintext, renumbering frame seqnos so the
 * session layer notices nothing). Each attack is its own test and ends with its own code at the app:
 * a flipped byte in an answer chunk, chunks reordered, dropped or replayed (CCN_ERR_E2E_ANSWER_TAMPERED),
 * the answers of two concurrent requests swapped (TAMPERED for both), substituted worker evidence — a
 * non-attested certificate or another attested one — (refused, nothing sent; the SDK's own check:
 * CCN_ERR_E2E_EVIDENCE_INVALID), and tokens charged that no receipt covers (the receipt dropped: the
 * app gets CCN_ERR_E2E_RECEIPT_INVALID and `cocoon client audit` reports the finding, exit 1).
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { constructorId, decodeBoxed, encodeBoxed, encodeE2eBoxed, decodeE2eBoxed, fromBase64OrUndefined, isE2eRequestBytes, toBase64, toHex } from '@cocoon/protocol';
import type { ExtE2eAnswerChunk, ExtE2eWorkers, TlObject } from '@cocoon/protocol';
import { FakeTdxProvider, NoTeeProvider, createAttestedCertificate } from '@cocoon/attestation';
import { cocoonFetch } from '@cocoon/sdk';
import { decodeInterposedFrame } from '@cocoon/test-support';
import type { FrameDecision, InterposedFrame } from '@cocoon/test-support';
import { runCocoonCli } from '../../src/cocoon-cli.ts';
import type { CliIo } from '../../src/cli-io.ts';
import { E2E_TEST_MODEL, outcomeOf, startE2eNetwork, waitFor } from './e2e-network-harness.ts';
import type { E2eNetwork } from './e2e-network-harness.ts';

const CHUNK_ID = constructorId('ext.e2eAnswerChunk');

interface AnswerFrame {
  inner: TlObject & { request_id: Buffer; answer: Buffer };
  chunk: ExtE2eAnswerChunk;
  requestId: string;
}

/** The e2e answer chunk a proxy → client frame carries, if any. */
function answerFrameOf(frame: InterposedFrame): AnswerFrame | undefined {
  if (frame.direction !== 'from-proxy') return undefined;
  const { packet, inner } = decodeInterposedFrame(frame.payload);
  if (packet._ !== 'tcp.packet' || (inner?._ !== 'client.queryAnswerPartEx' && inner?._ !== 'client.queryAnswerEx')) return undefined;
  const answer = (inner as unknown as { answer: Buffer }).answer;
  if (answer.length < 4 || answer.readUInt32LE(0) !== CHUNK_ID) return undefined;
  const typed = inner as unknown as AnswerFrame['inner'];
  return { inner: typed, chunk: decodeBoxed(answer) as ExtE2eAnswerChunk, requestId: toHex(typed.request_id) };
}

/** A tcp.packet frame payload carrying `inner` with another answer. */
const withAnswer = (inner: AnswerFrame['inner'], answer: Buffer): Buffer => encodeBoxed({ _: 'tcp.packet', data: encodeBoxed({ ...inner, answer }) });

/** The frame rewritten by `change` when it carries answer chunk `seq` (and is not the final one). */
const atChunk = (seq: number, change: (frame: InterposedFrame, answer: AnswerFrame) => FrameDecision) => (frame: InterposedFrame): FrameDecision => {
  const answer = answerFrameOf(frame);
  if (!answer || answer.chunk.seq !== seq || ((answer.chunk.flags ?? 0) & 1) !== 0) return undefined;
  return change(frame, answer);
};

const captureIo = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (line) => out.push(line), stderr: (line) => err.push(line), env: {} };
  return { io, out, err };
};

describe('a tampering proxy cannot read, alter or overcharge an end-to-end answer unnoticed', () => {
  let network: E2eNetwork;
  let appFetch: typeof fetch;
  const ask = (content = 'tell me a story', stream = true) => appFetch(`${network.baseUrl}/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: E2E_TEST_MODEL, messages: [{ role: 'user', content }], max_tokens: 16, stream }),
  });

  before(async () => {
    network = await startE2eNetwork({ interposeClient: true, engine: { chunkDelayMs: 2 } }); // streamed answers in many chunks
    appFetch = cocoonFetch({ baseURL: network.baseUrl, verifier: network.verifier });
  });
  afterEach(() => network.clientInterposer!.setOnFrame(undefined));
  after(async () => {
    await network?.close();
  });

  test('untouched, the same path answers and verifies (the attacks below change only what they say)', async () => {
    const response = await ask();
    assert.equal(await outcomeOf(response), 'ok');
  });

  test('a flipped byte in an answer chunk: CCN_ERR_E2E_ANSWER_TAMPERED', async () => {
    network.clientInterposer!.setOnFrame(atChunk(1, (_frame, answer) => {
      const chunk = { ...answer.chunk, ciphertext: Buffer.from(answer.chunk.ciphertext) };
      chunk.ciphertext[0]! ^= 0x01;
      return [withAnswer(answer.inner, Buffer.from(encodeE2eBoxed<'ext.e2eAnswerChunk'>(chunk)))];
    }));
    assert.equal(await outcomeOf(await ask()), 'CCN_ERR_E2E_ANSWER_TAMPERED');
  });

  test('two chunks reordered: CCN_ERR_E2E_ANSWER_TAMPERED', async () => {
    let held: Buffer | undefined;
    network.clientInterposer!.setOnFrame((frame) => {
      const answer = answerFrameOf(frame);
      if (answer?.chunk.seq === 1 && held === undefined) {
        held = frame.payload;
        return [];
      }
      if (answer?.chunk.seq === 2 && held) return [frame.payload, held];
      return undefined;
    });
    assert.equal(await outcomeOf(await ask()), 'CCN_ERR_E2E_ANSWER_TAMPERED');
  });

  test('a chunk dropped: CCN_ERR_E2E_ANSWER_TAMPERED', async () => {
    network.clientInterposer!.setOnFrame(atChunk(1, () => []));
    assert.equal(await outcomeOf(await ask()), 'CCN_ERR_E2E_ANSWER_TAMPERED');
  });

  test('a chunk replayed: CCN_ERR_E2E_ANSWER_TAMPERED', async () => {
    network.clientInterposer!.setOnFrame(atChunk(1, (frame) => [frame.payload, frame.payload]));
    assert.equal(await outcomeOf(await ask()), 'CCN_ERR_E2E_ANSWER_TAMPERED');
  });

  test('the answers of two concurrent requests swapped: CCN_ERR_E2E_ANSWER_TAMPERED for both', async () => {
    // Hold the first request's frames until the second one's first chunk comes, then give each the other's chunk 0.
    let first: { requestId: string; frames: Buffer[]; chunk0: AnswerFrame | undefined } | undefined;
    let swapped = false;
    network.clientInterposer!.setOnFrame((frame) => {
      if (swapped || frame.direction !== 'from-proxy') return undefined;
      const { inner } = decodeInterposedFrame(frame.payload);
      const requestId = inner && 'request_id' in inner && Buffer.isBuffer(inner.request_id) ? toHex(inner.request_id) : undefined;
      if (requestId === undefined) return undefined;
      const answer = answerFrameOf(frame);
      if (first === undefined) {
        if (answer?.chunk.seq !== 0) return undefined; // e.g. a late charge of an earlier request
        first = { requestId, frames: [], chunk0: answer };
        return [];
      }
      if (requestId === first.requestId) {
        first.frames.push(frame.payload);
        return [];
      }
      if (answer?.chunk.seq !== 0 || !first.chunk0) return undefined;
      swapped = true;
      return [withAnswer(first.chunk0.inner, answer.inner.answer), ...first.frames, withAnswer(answer.inner, first.chunk0.inner.answer)];
    });
    const outcomes = await Promise.all([ask('first request'), ask('second request')].map(async (pending) => outcomeOf(await pending)));
    assert.equal(swapped, true);
    assert.deepEqual(outcomes, ['CCN_ERR_E2E_ANSWER_TAMPERED', 'CCN_ERR_E2E_ANSWER_TAMPERED']);
  });

  for (const [what, provider] of [['a non-attested certificate', new NoTeeProvider()], ['another attested certificate', new FakeTdxProvider()]] as const) {
    test(`substituted worker evidence (${what}): refused before anything is sent; the SDK itself refuses it too (CCN_ERR_E2E_EVIDENCE_INVALID)`, async () => {
      const substitute = (await createAttestedCertificate({ provider, now: new Date() })).certificateDer;
      network.clientInterposer!.setOnFrame((frame) => {
        const { packet, inner } = decodeInterposedFrame(frame.payload);
        if (packet._ !== 'tcp.queryAnswer' || inner?._ !== 'ext.e2eWorkers') return undefined;
        const listed = inner as unknown as ExtE2eWorkers;
        const workers = listed.workers.map((worker) => ({ ...worker, evidence: { ...worker.evidence, certificate: substitute } }));
        return [encodeBoxed({ ...packet, data: encodeBoxed({ ...listed, workers }) })];
      });
      const sentBefore = network.clientInterposer!.frames.filter((frame) => frame.direction === 'to-proxy' && isSealedRequest(frame)).length;
      const response = await ask();
      // The client runner verified the evidence itself and lists no worker: the app refuses to send.
      assert.equal(response.status, 503);
      assert.equal(await outcomeOf(response), 'CCN_ERR_E2E_UNAVAILABLE');
      assert.equal(network.clientInterposer!.frames.filter((frame) => frame.direction === 'to-proxy' && isSealedRequest(frame)).length, sentBefore, 'no sealed request left');
      // A runner that passed the evidence on unchecked: the app's own verifier refuses it.
      network.clientInterposer!.setOnFrame(undefined);
      const substituting: typeof fetch = async (input, init) => {
        const answer = await fetch(input, init);
        if (!String(input instanceof Request ? input.url : input).includes('/v1/e2e/workers')) return answer;
        const listing = await answer.json() as { workers: Array<{ evidence: string }> };
        for (const worker of listing.workers) {
          const evidence = decodeE2eBoxed(fromBase64OrUndefined(worker.evidence)!, 'CCN_ERR_INTERNAL', 'test', 'ext.e2eEvidence');
          worker.evidence = toBase64(encodeE2eBoxed<'ext.e2eEvidence'>({ ...evidence, certificate: substitute }));
        }
        return Response.json(listing);
      };
      const strictApp = cocoonFetch({ baseURL: network.baseUrl, verifier: network.verifier, fetch: substituting });
      const refused = await strictApp(`${network.baseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: E2E_TEST_MODEL, messages: [{ role: 'user', content: 'x' }] }) });
      assert.equal(refused.status, 502);
      assert.equal(await outcomeOf(refused), 'CCN_ERR_E2E_EVIDENCE_INVALID');
    });
  }

  test('tokens charged that no receipt covers (receipt dropped): CCN_ERR_E2E_RECEIPT_INVALID, and the audit finds it (exit 1)', async () => {
    let dropped: string | undefined;
    network.clientInterposer!.setOnFrame((frame) => {
      const { inner } = decodeInterposedFrame(frame.payload);
      if (frame.direction !== 'from-proxy' || inner?._ !== 'ext.e2eReceipt') return undefined;
      dropped = toHex((inner as unknown as { receipt: { body: { request_id: Buffer } } }).receipt.body.request_id);
      return [];
    });
    const response = await ask('charge me', false);
    assert.equal(await outcomeOf(response), 'CCN_ERR_E2E_RECEIPT_INVALID');
    assert.ok(dropped);
    const audit = async () => (await (await fetch(`${network.rootUrl}/request/audit`, { headers: { authorization: `Bearer ${network.clientAdminToken()}` } })).json()) as { findings: Array<{ request_id: string; reason: string }> };
    await waitFor(async () => (await audit()).findings.some((finding) => finding.request_id === dropped), 'the charge to reach the client runner');
    const { io, out } = captureIo();
    assert.equal(await runCocoonCli(['client', 'audit', '--config', network.clientConfigFile], io), 1);
    assert.match(out.join('\n'), new RegExp(`FINDING ${dropped}: charged without a receipt`));
  });
});

function isSealedRequest(frame: InterposedFrame): boolean {
  const { inner } = decodeInterposedFrame(frame.payload);
  return inner?._ === 'client.runQueryEx' && isE2eRequestBytes((inner as unknown as { query: Buffer }).query);
}
