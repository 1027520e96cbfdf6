/**
 * Interop: our worker runner against the reference proxy's recorded bytes. The scripted
 * proxy runs the reference worker handshake, then sends the reference's own
 * `proxy.runQueryEx` frames; our worker serves them from the test engine and answers with
 * the reference answer layout, and refuses the request the reference worker refused with
 * the same error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MULTIPLIERS, REFERENCE_PROTOCOL_VERSIONS, WireErrorCode, adjustTokens, createLogger, decodeHttpResponse } from '@cocoon/protocol';
import type { RunnerHandle, TlObject } from '@cocoon/protocol';
import type { SecureServer } from '@cocoon/attestation';
import { startTestEngine, startWorkerRunner, workerConfigSchema } from '@cocoon/worker';
import type { TestEngine } from '@cocoon/worker';
import { goldenInner, goldenStreams, startScriptedProxy } from '@cocoon/test-support';
import type { ScriptedPeerConnection } from '@cocoon/test-support';

const leg = goldenStreams['worker<->proxy']!;
const oldLeg = goldenStreams['worker<->proxy_run1']!;
const golden = (frames: typeof leg, inner: string) => frames.find((frame) => frame.dir === 's2c' && frame.inner === inner)!;

describe('our worker against the reference proxy (golden frames)', () => {
  let engine: TestEngine;
  let proxy: SecureServer;
  let worker: RunnerHandle;
  let peer: ScriptedPeerConnection;
  let handshake: TlObject;

  before(async () => {
    engine = await startTestEngine({ host: '127.0.0.1', port: 0 });
    let handshakeDone!: (connection: ScriptedPeerConnection) => void;
    const connected = new Promise<ScriptedPeerConnection>((resolve) => { handshakeDone = resolve; });
    proxy = await startScriptedProxy(async (connection) => {
      const connect = await connection.next();
      connection.write({ _: 'tcp.connected', id: connect.id as bigint });
      const hello = await connection.expect('worker.connectToProxy');
      handshake = hello.inner;
      // The recorded proxy (b75d444) chose 2, below a 9060ce5 worker's minimum 3 (ours too): answer with the
      // recorded bytes' fields and the version a 9060ce5 proxy chooses for a 3..4 worker (§3.3).
      const connected = goldenInner(golden(leg, 'worker.connectedToProxy').hex);
      connection.answer(hello.packet.id as bigint, { ...connected, params: { ...(connected.params as TlObject), proto_version: 4 } });
      const compare = await connection.expect('worker.compareBalanceWithProxy');
      connection.answer(compare.packet.id as bigint, goldenInner(golden(leg, 'worker.compareBalanceWithProxyResult').hex));
      const complete = await connection.expect('worker.proxyHandshakeComplete');
      connection.answer(complete.packet.id as bigint, goldenInner(golden(leg, 'worker.proxyHandshakeCompleted').hex));
      handshakeDone(connection);
    });
    const config = {
      ...workerConfigSchema.parse({ engine_url: engine.url, proxy_address: `127.0.0.1:${proxy.port}`, model: `Qwen/Qwen3-8B@abc123def456:${'0'.repeat(64)}` }),
      http_port: 0,
    };
    const workerStarted = startWorkerRunner(config, { logger: createLogger('worker', { level: 'error' }) });
    [peer, worker] = await Promise.all([connected, workerStarted]);
  });

  after(async () => {
    await worker?.close();
    await proxy?.close();
    await engine?.close();
  });

  test('our worker.params match the reference worker (flags, limits; the protocol range of 9060ce5)', () => {
    const ours = handshake.params as TlObject;
    const reference = goldenInner(leg.find((frame) => frame.inner === 'worker.connectToProxy')!.hex).params as TlObject;
    for (const field of ['flags', 'coefficient', 'is_test', 'proxy_cnt', 'max_active_requests', 'model']) {
      assert.deepEqual(ours[field], reference[field], field);
    }
    assert.equal(ours.min_proto_version, REFERENCE_PROTOCOL_VERSIONS.worker.min);
    assert.equal(ours.max_proto_version, REFERENCE_PROTOCOL_VERSIONS.worker.max);
  });

  test('serves the reference proxy.runQueryEx and bills the engine usage', async () => {
    const request = goldenInner(leg.find((frame) => frame.inner === 'proxy.runQueryEx')!.hex);
    peer.message(request);
    const { inner: answer } = await peer.expect('proxy.queryAnswerEx');
    assert.deepEqual(answer.request_id, request.request_id);
    assert.equal(answer.flags, 1, 'complete answer in one message');
    const response = decodeHttpResponse(answer.answer as Buffer);
    assert.equal(response.statusCode, 200);
    interface EngineUsage { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number }; completion_tokens_details: { reasoning_tokens: number } }
    const usage = (JSON.parse(response.payload.toString()) as { usage: EngineUsage }).usage;
    const expected = adjustTokens({
      promptTokens: usage.prompt_tokens, cachedTokens: usage.prompt_tokens_details.cached_tokens,
      completionTokens: usage.completion_tokens, reasoningTokens: usage.completion_tokens_details.reasoning_tokens,
    }, 1000, DEFAULT_MULTIPLIERS);
    const tokens = (answer.final_info as TlObject).tokens_used as TlObject;
    assert.equal(tokens.total_tokens_used, BigInt(expected.total));
    assert.ok(expected.total > 0);
  });

  test('refuses the request the reference worker refused, with the same error', async () => {
    const request = goldenInner(oldLeg.find((frame) => frame.inner === 'proxy.runQueryEx')!.hex);
    const referenceError = goldenInner(oldLeg.find((frame) => frame.inner === 'proxy.queryAnswerErrorEx')!.hex);
    peer.message(request);
    const { inner: error } = await peer.expect('proxy.queryAnswerErrorEx');
    assert.equal(error.error_code, WireErrorCode.protoViolation);
    assert.equal(error.error_code, referenceError.error_code);
    assert.equal(error.error, referenceError.error);
  });
});
