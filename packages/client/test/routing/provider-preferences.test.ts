/**
 * The app's `provider` preferences (§4.1, §4.4): strict parsing, removal from the forwarded body,
 * max_price → max_coefficient at the network price, and the message each kind of session gets
 * (ext.runQueryWithPreferences only where `market` was negotiated).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, DEV_NETWORK_PARAMS, StaticNetworkParamsSource, createLogger, extensionsOfAlpn } from '@cocoon/protocol';
import type { ClientRunQueryEx, SessionExtension, TlObject } from '@cocoon/protocol';
import {
  maxCoefficientForPrice, parseProviderPreferences, queryForSession, queryWithPreferences,
} from '../../src/routing/provider-preferences.ts';
import { parseInferenceRequest } from '../../src/http/index.ts';
import { ProtocolInferenceGateway } from '../../src/gateway/protocol-inference-gateway.ts';
import { ClientStats } from '../../src/client-stats.ts';
import { modelsListBody } from '../../src/http/models-list-body.ts';
import type { AnswerListener, ClientProxyConnection, RunningQueryLink } from '../../src/connection/client-proxy-connection.ts';
import type { GatewayRequest } from '../../src/http/index.ts';

const badRequest = (param: string) => (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_HTTP_BAD_REQUEST' && error.param === param;
const body = (fields: Record<string, unknown>) => Buffer.from(JSON.stringify({ model: 'm', messages: [], ...fields }));

describe('provider preferences', () => {
  test('parsed strictly and removed from the body the worker gets', () => {
    const parsed = parseInferenceRequest(body({ provider: { sort: 'latency', max_price: '30.5', allow_fallbacks: false } }));
    assert.deepEqual(parsed.provider, { sort: 'latency', maxPriceNanoton: '30.5', allowFallbacks: false });
    assert.equal('provider' in JSON.parse(parsed.body.toString()), false);
    assert.equal(parsed.maxCoefficient, 2_147_483_647, 'max_price alone sets the limit');
    assert.equal(parseInferenceRequest(body({ provider: { max_price: 30 }, max_coefficient: 1200 })).maxCoefficient, 1200, 'with both the lower wins later');
    assert.equal(parseInferenceRequest(body({})).provider, undefined);
    assert.throws(() => parseInferenceRequest(body({ provider: { sort: 'cheapest' } })), badRequest('provider.sort'));
    assert.throws(() => parseInferenceRequest(body({ provider: { only: ['x'] } })), badRequest('provider.only'));
    assert.throws(() => parseInferenceRequest(body({ provider: { allow_fallbacks: 'no' } })), badRequest('provider.allow_fallbacks'));
    assert.throws(() => parseInferenceRequest(body({ provider: { max_price: -1 } })), badRequest('provider.max_price'));
    assert.throws(() => parseInferenceRequest(body({ provider: { max_price: '1e3' } })), badRequest('provider.max_price'));
    assert.throws(() => parseInferenceRequest(body({ provider: 'price' })), badRequest('provider'));
    assert.deepEqual(parseProviderPreferences({ max_price: 1e-7 }), { maxPriceNanoton: '0.0000001' });
  });

  test('max_price maps to max_coefficient = floor(max_price × 1000 / price_per_token), exactly', () => {
    assert.equal(maxCoefficientForPrice('30', 20n), 1500);
    assert.equal(maxCoefficientForPrice('30.5', 20n), 1525);
    assert.equal(maxCoefficientForPrice('20.01', 20n), 1000, 'floor: 1000.5 → 1000');
    assert.equal(maxCoefficientForPrice('19.99', 20n), 999);
    assert.equal(maxCoefficientForPrice('0', 20n), 0);
    assert.equal(maxCoefficientForPrice('1', 3n), 333);
    assert.equal(maxCoefficientForPrice('99999999999999999999', 1n), 2_147_483_647, 'capped at the TL int');
    assert.equal(maxCoefficientForPrice('5', 0n), 2_147_483_647, 'a free network limits nothing');
  });

  test('the preferences message goes only to a market session; any other gets runQueryEx and a log line', () => {
    const plain: ClientRunQueryEx = {
      _: 'client.runQueryEx', model_name: 'm', query: Buffer.from('q'), max_coefficient: 1500, max_tokens: 10, timeout: 5, request_id: Buffer.alloc(32, 7), min_config_version: 0, flags: 1, enable_debug: false,
    };
    assert.equal(queryWithPreferences(plain, undefined), plain);
    assert.equal(queryWithPreferences(plain, { maxPriceNanoton: '30' }), plain, 'max_price alone fits the reference message');
    const withSort = queryWithPreferences(plain, { sort: 'throughput', allowFallbacks: false });
    assert.deepEqual(withSort, { ...plain, _: 'ext.runQueryWithPreferences', sort: 'throughput', allow_fallbacks: false });
    assert.equal(queryForSession(withSort, extensionsOfAlpn('cocoon-ext-1')), withSort);
    const lines: string[] = [];
    const logger = createLogger('client', { level: 'info', write: (line: string) => void lines.push(line) });
    const downgraded = queryForSession(withSort, extensionsOfAlpn(undefined), logger);
    assert.deepEqual(downgraded, plain, 'exactly the reference message, preferences dropped');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /provider preferences dropped/);
  });
});

/** A proxy-connection double recording what the gateway sends and answering ext.getMarket or getWorkerTypesV2. */
class ConnectionDouble {
  isReady = true;
  protoVersion = 2;
  sent: TlObject[] = [];
  queries: string[] = [];
  constructor(readonly extensions: ReadonlySet<SessionExtension>) {}
  runQuery(query: TlObject, _listener: AnswerListener): RunningQueryLink {
    this.sent.push(query);
    return { extensions: this.extensions, cancel() {}, grantCredit() {}, holdReading: () => () => undefined };
  }
  forget() {}
  async query(request: TlObject): Promise<TlObject> {
    this.queries.push(request._);
    if (request._ === 'ext.getMarket') {
      return {
        _: 'ext.market', models: [{ _: 'ext.marketModel', name: 'm', workers: [
          { _: 'ext.marketWorker', flags: 3, coefficient: 1500, active_requests: 1, max_active_requests: 8, success_rate: 0.75, cooling_down: false, score: 3.25, ttft_ms: 212.5, tokens_per_second: 48.04 },
          { _: 'ext.marketWorker', flags: 0, coefficient: 1000, active_requests: 0, max_active_requests: 8, success_rate: 1, cooling_down: true, score: 3 },
        ] }],
      };
    }
    return { _: 'client.workerTypesV2', types: [{ _: 'client.workerTypeV2', name: 'm', workers: [{ _: 'client.workerInstanceV2', flags: 0, coefficient: 1000, active_requests: 0, max_active_requests: 8 }] }] };
  }
}

function gatewayWith(connection: ConnectionDouble): ProtocolInferenceGateway {
  return new ProtocolInferenceGateway({ connections: [connection as unknown as ClientProxyConnection], params: new StaticNetworkParamsSource(DEV_NETWORK_PARAMS), stats: new ClientStats(Date.now) });
}

describe('the gateway with preferences', () => {
  const request = (provider: GatewayRequest['provider'], maxCoefficient = 4000): GatewayRequest => ({
    path: '/v1/chat/completions', method: 'POST', headers: {}, body: Buffer.from('{"model":"m"}'), model: 'm', maxCoefficient, maxTokens: 10, timeoutMs: 10_000,
    enableDebug: false, signal: new AbortController().signal, ...(provider ? { provider } : {}),
  });

  test('max_price caps max_coefficient at the network price; sort and allow_fallbacks make the preferences message', () => {
    const connection = new ConnectionDouble(extensionsOfAlpn('cocoon-ext-1'));
    const gateway = gatewayWith(connection);
    void gateway.run(request({ maxPriceNanoton: '30', sort: 'price', allowFallbacks: false }, 2_147_483_647));
    void gateway.run(request({ maxPriceNanoton: '30' }, 1200));
    void gateway.run(request(undefined));
    const [first, second, third] = connection.sent;
    assert.equal(first!._, 'ext.runQueryWithPreferences');
    assert.equal(first!.max_coefficient, 1500, `30 nanoTON at ${DEV_NETWORK_PARAMS.pricePerToken} per token`);
    assert.equal(first!.sort, 'price');
    assert.equal(first!.allow_fallbacks, false);
    assert.equal(second!._, 'client.runQueryEx');
    assert.equal(second!.max_coefficient, 1200, 'the explicit max_coefficient is lower');
    assert.equal(third!.max_coefficient, 4000);
  });

  test('/v1/models from a market proxy shows each worker\'s measured latency, throughput and reliability', async () => {
    const connection = new ConnectionDouble(extensionsOfAlpn('cocoon-ext-1'));
    const models = await gatewayWith(connection).listModels(new AbortController().signal);
    assert.deepEqual(connection.queries, ['ext.getMarket']);
    const listed = modelsListBody(models);
    assert.deepEqual(listed.data[0]!.workers, [
      { coefficient: 1000, price_per_token_nanoton: 20, running_requests: 0, max_running_requests: 8, success_rate: 1, cooling_down: true, market_score: 3 },
      {
        coefficient: 1500, price_per_token_nanoton: 30, running_requests: 1, max_running_requests: 8,
        ttft_p50_ms: 212.5, tokens_per_second: 48, success_rate: 0.75, cooling_down: false, market_score: 3.25,
      },
    ]);
  });

  test('/v1/models from a proxy without the extension keeps asking client.getWorkerTypesV2 (no market fields)', async () => {
    const connection = new ConnectionDouble(extensionsOfAlpn(undefined));
    const models = await gatewayWith(connection).listModels(new AbortController().signal);
    assert.deepEqual(connection.queries, ['client.getWorkerTypesV2']);
    assert.deepEqual(modelsListBody(models).data[0]!.workers, [{ coefficient: 1000, price_per_token_nanoton: 20, running_requests: 0, max_running_requests: 8 }]);
  });
});
