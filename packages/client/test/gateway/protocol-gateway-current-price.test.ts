/**
 * The protocol gateway reports costs with the price its NetworkParamsSource has now (on chain:
 * the root contract's), read at each request's start: a price change between two requests
 * changes the second one's `costNanoton` and the models' per-token prices, not the first's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEV_NETWORK_PARAMS, encodeHttpResponse } from '@cocoon/protocol';
import type { NetworkParams, NetworkParamsListener, NetworkParamsSource, TlObject } from '@cocoon/protocol';
import { ProtocolInferenceGateway } from '../../src/gateway/protocol-inference-gateway.ts';
import { ClientStats } from '../../src/client-stats.ts';
import type { AnswerListener, ClientProxyConnection } from '../../src/connection/client-proxy-connection.ts';
import type { GatewayRequest } from '../../src/http/index.ts';

/** Test double: a source whose params the test changes (as a root refresh would). */
class ChangingParamsSource implements NetworkParamsSource {
  private readonly listeners = new Set<NetworkParamsListener>();
  constructor(private params: NetworkParams) {}
  current(): NetworkParams { return this.params; }
  onChange(listener: NetworkParamsListener): () => void { this.listeners.add(listener); return () => this.listeners.delete(listener); }
  change(next: Partial<NetworkParams>): void {
    const previous = this.params;
    this.params = { ...previous, ...next, configVersion: previous.configVersion + 1 };
    for (const listener of this.listeners) listener(this.params, previous);
  }
}

/** Test double: a ready proxy connection keeping every query's listener. */
class ProxyConnectionDouble {
  isReady = true;
  /** A reference proxy's session: no extensions (so /v1/models uses client.getWorkerTypesV2). */
  readonly extensions: ReadonlySet<string> = new Set();
  readonly listeners: AnswerListener[] = [];
  runQuery(_query: TlObject, listener: AnswerListener) { this.listeners.push(listener); }
  forget() {}
  async query(): Promise<TlObject> {
    return { _: 'client.workerTypesV2', types: [{ _: 'client.workerTypeV2', name: 'm', workers: [{ _: 'client.workerInstanceV2', flags: 0, coefficient: 1500, active_requests: 0, max_active_requests: 4 }] }] };
  }
}

const request: GatewayRequest = {
  path: '/v1/chat/completions', method: 'POST', headers: {}, body: Buffer.from('{"model":"m"}'), model: 'm',
  maxCoefficient: 4000, maxTokens: 1000, timeoutMs: 120_000, enableDebug: false, signal: new AbortController().signal,
};
const answer = encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [['Content-Type', 'application/json']], payload: Buffer.from('{}') });

function finish(listener: AnswerListener, total: bigint): void {
  listener.onAnswerMessage({
    _: 'client.queryAnswerEx', answer, flags: 1,
    final_info: { _: 'client.queryFinalInfo', flags: 0, tokens_used: { _: 'tokensUsed', prompt_tokens_used: 0n, cached_tokens_used: 0n, completion_tokens_used: total, reasoning_tokens_used: 0n, total_tokens_used: total } },
  });
}

test('total cost at the price in force when each request started', async () => {
  const source = new ChangingParamsSource(DEV_NETWORK_PARAMS);
  const connection = new ProxyConnectionDouble();
  const gateway = new ProtocolInferenceGateway({ connections: [connection as unknown as ClientProxyConnection], params: source, stats: new ClientStats(Date.now) });

  const first = gateway.run(request);
  source.change({ pricePerToken: 30n, workerFeePerToken: 27n }); // the root changed while the first request runs
  const second = gateway.run(request);
  finish(connection.listeners[0]!, 229n);
  finish(connection.listeners[1]!, 229n);
  assert.deepEqual(await (await first).usage, { totalTokens: 229, costNanoton: 229n * 20n });
  assert.deepEqual(await (await second).usage, { totalTokens: 229, costNanoton: 229n * 30n }, 'the root price, not the dev price');
});

test('models list the per-token price at the current price', async () => {
  const source = new ChangingParamsSource(DEV_NETWORK_PARAMS);
  const gateway = new ProtocolInferenceGateway({ connections: [new ProxyConnectionDouble() as unknown as ClientProxyConnection], params: source, stats: new ClientStats(Date.now) });
  assert.equal((await gateway.listModels(new AbortController().signal))[0]!.workers[0]!.pricePerTokenNanoton, 30);
  source.change({ pricePerToken: 30n });
  assert.equal((await gateway.listModels(new AbortController().signal))[0]!.workers[0]!.pricePerTokenNanoton, 45);
});
