/**
 * The market extension through our proxy runner on real sessions (§4.4, §19): market_* config keys are
 * accepted, ext.runQueryWithPreferences steers the choice between two scripted workers, ext.getMarket
 * shows the measured TTFT and throughput, and `/jsonstats` shows the same per worker connection.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSIONS, encodeHttpResponse } from '@cocoon/protocol';
import type { CocoonSession, TlObject } from '@cocoon/protocol';
import { authorizedClient, openPeerSession, runQuery, startTestProxy } from '../network/proxy-test-peer.ts';
import type { TestProxy } from '../network/proxy-test-peer.ts';

const finalInfo = (completion: bigint): TlObject => ({
  _: 'proxy.queryFinalInfo', flags: 2, worker_start_time: 1, worker_end_time: 2,
  tokens_used: { _: 'tokensUsed', prompt_tokens_used: 1n, cached_tokens_used: 0n, completion_tokens_used: completion, reasoning_tokens_used: 0n, total_tokens_used: 1n + completion },
});

/** A scripted worker that answers every request at once (head, then one final part); `served` counts them. */
async function scriptedWorker(port: number, owner: string, coefficient: number): Promise<{ session: CocoonSession; served: number }> {
  const session = await openPeerSession(port, 'worker');
  const worker = { session, served: 0 };
  session.on('message', (message) => {
    if (message._ !== 'proxy.runQueryEx') return;
    worker.served += 1;
    const head = encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [], payload: Buffer.from('{') });
    session.send({ _: 'proxy.queryAnswerEx', request_id: message.request_id, answer: head, flags: 0 });
    session.send({ _: 'proxy.queryAnswerPartEx', request_id: message.request_id, answer: Buffer.from('}'), flags: 1, final_info: finalInfo(40n) });
  });
  const params = {
    _: 'worker.params', flags: 3, worker_owner_address: owner, model: 'test/m@r:h', coefficient, is_test: true, proxy_cnt: 1,
    max_active_requests: 8, min_proto_version: PROTOCOL_VERSIONS.worker.min, max_proto_version: PROTOCOL_VERSIONS.worker.max,
  };
  assert.equal((await session.query({ _: 'worker.connectToProxy', params }))._, 'worker.connectedToProxy');
  await session.query({ _: 'worker.compareBalanceWithProxy', tokens_committed_to_blockchain: 0n, tokens_committed_to_db: 0n, max_tokens: 0n });
  assert.equal((await session.query({ _: 'worker.proxyHandshakeComplete', is_disabled: false }))._, 'worker.proxyHandshakeCompleted');
  return worker;
}

/** Sends `query` and resolves with its final message (flags bit 0, or an error). */
function finalAnswer(session: CocoonSession, query: TlObject): Promise<TlObject> {
  return new Promise((resolve) => {
    const listener = (message: TlObject) => {
      if (!(message.request_id as Buffer | undefined)?.equals(query.request_id as Buffer)) return;
      if (!/Error|Coded/.test(message._) && (((message.flags as number | undefined) ?? 0) & 1) === 0) return;
      session.off('message', listener);
      resolve(message);
    };
    session.on('message', listener);
    session.send(query);
  });
}

describe('market routing through the proxy runner', () => {
  let proxy: TestProxy;
  let cheap: Awaited<ReturnType<typeof scriptedWorker>>;
  let pricey: Awaited<ReturnType<typeof scriptedWorker>>;
  let client: CocoonSession;

  before(async () => {
    proxy = await startTestProxy({ market_failure_cooldown_ms: 2000, market_reliability_weight: 8, market_price_weight: 2 });
    cheap = await scriptedWorker(proxy.workerPort, 'UQ-cheap', 1000);
    pricey = await scriptedWorker(proxy.workerPort, 'UQ-pricey', 3000);
    client = await authorizedClient(proxy.clientPort);
  });

  after(async () => {
    client?.close();
    cheap?.session.close();
    pricey?.session.close();
    await proxy?.handle.close();
  });

  test('ext.runQueryWithPreferences: sort=price goes to the cheap worker; an unknown sort is refused with its code', async () => {
    const base = runQuery('test/m');
    const answer = await finalAnswer(client, { ...base, _: 'ext.runQueryWithPreferences', sort: 'price', allow_fallbacks: false });
    assert.equal(answer._, 'client.queryAnswerPartEx');
    assert.equal(cheap.served, 1);
    assert.equal(pricey.served, 0);
    const refused = await finalAnswer(client, { ...runQuery('test/m'), _: 'ext.runQueryWithPreferences', sort: 'fastest', allow_fallbacks: true });
    assert.equal(refused._, 'ext.clientQueryAnswerErrorCoded');
    assert.equal(refused.ccn_code, 'CCN_ERR_HTTP_BAD_REQUEST');
    assert.equal(cheap.served + pricey.served, 1, 'nothing was forwarded');
  });

  test('ext.getMarket and /jsonstats show the measurements per worker', async () => {
    const market = await client.query({ _: 'ext.getMarket' });
    assert.equal(market._, 'ext.market');
    const [model] = market.models as TlObject[];
    assert.equal(model!.name, 'test/m');
    const workers = model!.workers as TlObject[];
    assert.deepEqual(workers.map((worker) => worker.coefficient), [1000, 3000], 'cheapest first');
    assert.equal((workers[0]!.flags as number) & 3, 3, 'the cheap worker is measured: TTFT and tokens per second');
    assert.ok((workers[0]!.ttft_ms as number) >= 0);
    assert.ok((workers[0]!.tokens_per_second as number) > 0);
    assert.equal((workers[1]!.flags as number) & 3, 0, 'the other one is not measured yet');
    assert.equal(workers[1]!.success_rate, 1);
    const stats = (await (await fetch(`${proxy.statsUrl.replace(/\/$/, '')}/jsonstats`)).json()) as { worker_connections?: Array<{ owner_address: string; market: { score: number } }> };
    const connections = stats.worker_connections ?? [];
    assert.ok(connections.some((connection) => connection.owner_address === 'UQ-cheap' && typeof connection.market.score === 'number'), JSON.stringify(stats).slice(0, 300));
  });
});
