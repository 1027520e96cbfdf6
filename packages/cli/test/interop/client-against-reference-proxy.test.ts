/**
 * Interop: our client runner against the reference proxy's recorded bytes. The scripted
 * proxy answers the handshake, the model listing, a request and an unknown-model rejection
 * (the legacy non-Ex error the reference sends, §12) with golden frames.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, decodeBoxed } from '@cocoon/protocol';
import type { RunnerHandle, TlObject } from '@cocoon/protocol';
import type { SecureServer } from '@cocoon/attestation';
import { clientConfigSchema, startClientRunner } from '@cocoon/client';
import { goldenInner, goldenStreams, startScriptedProxy } from '@cocoon/test-support';
import type { ScriptedPeerConnection } from '@cocoon/test-support';

const leg = goldenStreams['client<->proxy']!;
const golden = (inner: string, nth = 0) => leg.filter((frame) => frame.dir === 's2c' && frame.inner === inner)[nth]!;
const answerFrames = leg.filter((frame) => frame.dir === 's2c' && frame.note.startsWith('[non-streaming chat completion'));
const goldenBody = Buffer.concat([goldenInner(answerFrames[1]!.hex).answer as Buffer]);

async function serveLikeReference(peer: ScriptedPeerConnection): Promise<void> {
  const connect = await peer.next();
  peer.write({ _: 'tcp.connected', id: connect.id as bigint });
  const hello = await peer.expect('client.connectToProxy');
  peer.answer(hello.packet.id as bigint, goldenInner(golden('client.connectedToProxy').hex));
  const auth = await peer.expect('client.authorizeWithProxyShort');
  assert.equal((auth.inner.data as Buffer).length, 0, 'the raw (empty) secret is sent');
  peer.answer(auth.packet.id as bigint, goldenInner(golden('client.authorizationWithProxySuccess').hex));
  for (;;) {
    const packet = await peer.next();
    const inner = packet.data ? decodeBoxed(packet.data as Buffer) : undefined;
    if (packet._ === 'tcp.query' && inner?._ === 'client.getWorkerTypesV2') peer.answer(packet.id as bigint, goldenInner(golden('client.workerTypesV2').hex));
    else if (packet._ === 'tcp.query' && inner?._ === 'client.updatePaymentStatus') peer.answer(packet.id as bigint, goldenInner(golden('client.paymentStatus').hex));
    else if (inner?._ === 'client.runQueryEx') {
      const requestId = inner.request_id as Buffer;
      if (inner.model_name === 'Qwen/Qwen3-8B') {
        for (const frame of answerFrames) peer.message({ ...goldenInner(frame.hex), request_id: requestId } as TlObject);
      } else {
        peer.message({ ...goldenInner(golden('client.queryAnswerError').hex), request_id: requestId } as TlObject);
      }
    }
  }
}

describe('our client against the reference proxy (golden frames)', () => {
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

  test('lists the models the reference proxy reports', async () => {
    const models = (await (await fetch(`${baseUrl}/models`)).json()) as { data: Array<{ id: string; workers: Array<Record<string, number>> }> };
    assert.equal(models.data[0]!.id, 'Qwen/Qwen3-8B');
    assert.equal(models.data[0]!.workers[0]!.coefficient, 1000);
    assert.equal(models.data[0]!.workers[0]!.max_running_requests, 60);
  });

  test('delivers the reference answer body unchanged and records the proxy-reported usage', async () => {
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'Qwen/Qwen3-8B', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 }),
    });
    assert.equal(response.status, 200);
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(goldenBody));
    const stats = (await (await fetch(`${baseUrl.replace('/v1', '')}/jsonstats`)).json()) as { proxies: Array<{ tokens_used_proxy_max: number }> };
    assert.equal(stats.proxies[0]!.tokens_used_proxy_max, 134);
  });

  test("turns the reference's legacy error into a 404, without hanging", async () => {
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'no/such-model', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: { message: string; code: string } };
    assert.match(body.error.message, /unknown model no\/such-model/);
    assert.equal(body.error.code, 'CCN_ERR_ROUTE_UNKNOWN_MODEL');
  });
});
