/**
 * The market extension never reaches a reference proxy (§4.4, §19): our client runner against the
 * scripted reference proxy (golden frames, no ALPN). A request with `provider` preferences goes out
 * as the plain client.runQueryEx — max_price already folded into max_coefficient, `provider` gone from
 * the body — and /v1/models asks client.getWorkerTypesV2, never ext.getMarket; no ext.* frame at all.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, decodeBoxed, decodeHttpRequest } from '@cocoon/protocol';
import type { RunnerHandle, TlObject } from '@cocoon/protocol';
import type { SecureServer } from '@cocoon/attestation';
import { goldenInner, goldenStreams, startScriptedProxy } from '@cocoon/test-support';
import type { ScriptedPeerConnection } from '@cocoon/test-support';
import { clientConfigSchema } from '../../src/config/index.ts';
import { startClientRunner } from '../../src/client-runner.ts';

const leg = goldenStreams['client<->proxy']!;
const golden = (inner: string) => leg.find((frame) => frame.dir === 's2c' && frame.inner === inner)!;
const answerFrames = leg.filter((frame) => frame.dir === 's2c' && frame.note.startsWith('[non-streaming chat completion'));

/** Every inner constructor the proxy received, and the run queries themselves. */
const received: string[] = [];
const runQueries: TlObject[] = [];

async function serveLikeReference(peer: ScriptedPeerConnection): Promise<void> {
  const connect = await peer.next();
  peer.write({ _: 'tcp.connected', id: connect.id as bigint });
  const hello = await peer.expect('client.connectToProxy');
  peer.answer(hello.packet.id as bigint, goldenInner(golden('client.connectedToProxy').hex));
  const auth = await peer.expect('client.authorizeWithProxyShort');
  peer.answer(auth.packet.id as bigint, goldenInner(golden('client.authorizationWithProxySuccess').hex));
  for (;;) {
    const packet = await peer.next();
    const inner = packet.data ? decodeBoxed(packet.data as Buffer) : undefined;
    received.push(inner?._ ?? packet._);
    if (packet._ === 'tcp.query' && inner?._ === 'client.getWorkerTypesV2') peer.answer(packet.id as bigint, goldenInner(golden('client.workerTypesV2').hex));
    else if (packet._ === 'tcp.query' && inner?._ === 'client.updatePaymentStatus') peer.answer(packet.id as bigint, goldenInner(golden('client.paymentStatus').hex));
    else if (inner?._ === 'client.runQueryEx') {
      runQueries.push(inner);
      for (const frame of answerFrames) peer.message({ ...goldenInner(frame.hex), request_id: inner.request_id as Buffer } as TlObject);
    }
  }
}

describe('provider preferences against the reference proxy (golden frames)', () => {
  let proxy: SecureServer;
  let client: RunnerHandle;
  let baseUrl: string;

  before(async () => {
    proxy = await startScriptedProxy((peer) => void serveLikeReference(peer).catch(() => peer.close()));
    const config = { ...clientConfigSchema.parse({ proxy_address: `127.0.0.1:${proxy.port}` }), http_port: 0 };
    client = await startClientRunner(config, { logger: createLogger('client', { level: 'error' }) });
    baseUrl = client.readyInfo.url as string;
  });

  after(async () => {
    await client?.close();
    await proxy?.close();
  });

  test('a request with sort, max_price and allow_fallbacks goes out as the plain client.runQueryEx', async () => {
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'Qwen/Qwen3-8B', messages: [{ role: 'user', content: 'hi' }], provider: { sort: 'latency', max_price: 30, allow_fallbacks: false } }),
    });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    assert.equal(runQueries.length, 1);
    const query = runQueries[0]!;
    assert.equal(query.max_coefficient, 1500, 'max_price 30 at the dev price 20 per token');
    const forwarded = JSON.parse(decodeHttpRequest(query.query as Buffer).payload.toString()) as Record<string, unknown>;
    assert.equal('provider' in forwarded, false, 'the client-only field never reaches the worker');
  });

  test('/v1/models asks client.getWorkerTypesV2 and shows no market fields', async () => {
    const models = (await (await fetch(`${baseUrl}/models`)).json()) as { data: Array<{ workers: Array<Record<string, unknown>> }> };
    assert.equal('market_score' in models.data[0]!.workers[0]!, false);
    assert.ok(received.includes('client.getWorkerTypesV2'));
    assert.deepEqual(received.filter((name) => name.startsWith('ext.')), [], 'no extension message reached the reference proxy');
  });
});
