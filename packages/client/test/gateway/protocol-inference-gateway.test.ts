/** The protocol gateway with a proxy-connection double: answer assembly for both answer families. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, DEV_NETWORK_PARAMS, StaticNetworkParamsSource, WireErrorCode, encodeHttpResponse } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { ProtocolInferenceGateway } from '../../src/gateway/protocol-inference-gateway.ts';
import { ClientStats } from '../../src/client-stats.ts';
import type { AnswerListener, ClientProxyConnection } from '../../src/connection/client-proxy-connection.ts';
import { startClientHttpServer } from '../../src/http/index.ts';
import type { GatewayRequest } from '../../src/http/index.ts';

/** Test double: a ready proxy connection that records the query and hands out its listener. */
class ProxyConnectionDouble {
  isReady = true;
  query: TlObject | undefined;
  listener: AnswerListener | undefined;
  forgotten = 0;
  runQuery(query: TlObject, listener: AnswerListener) { this.query = query; this.listener = listener; }
  forget() { this.forgotten += 1; }
}

function gatewayWith(connection: ProxyConnectionDouble): ProtocolInferenceGateway {
  return new ProtocolInferenceGateway({ connections: [connection as unknown as ClientProxyConnection], params: new StaticNetworkParamsSource(DEV_NETWORK_PARAMS), stats: new ClientStats(Date.now) });
}

function request(signal = new AbortController().signal): GatewayRequest {
  return { path: '/v1/chat/completions', method: 'POST', headers: {}, body: Buffer.from('{"model":"m"}'), model: 'm', maxCoefficient: 4000, maxTokens: 1000, timeoutMs: 120_000, enableDebug: false, signal };
}

const response = encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [['Content-Type', 'text/event-stream']], payload: Buffer.from('first ') });
const tokens = (total: bigint): TlObject => ({ _: 'tokensUsed', prompt_tokens_used: 0n, cached_tokens_used: 0n, completion_tokens_used: total, reasoning_tokens_used: 0n, total_tokens_used: total });

test('sends runQueryEx with 0.95× the timeout and assembles answer, parts and usage', async () => {
  const connection = new ProxyConnectionDouble();
  const pending = gatewayWith(connection).run(request());
  const query = connection.query!;
  assert.equal(query._, 'client.runQueryEx');
  assert.equal(query.timeout, 114);
  assert.equal((query.request_id as Buffer).length, 32);
  const id = query.request_id as Buffer;
  connection.listener!.onAnswerMessage({ _: 'client.queryAnswerEx', request_id: id, answer: response, flags: 0 });
  const answer = await pending;
  assert.equal(answer.status, 200);
  assert.equal(answer.headers['content-type'], 'text/event-stream');
  connection.listener!.onAnswerMessage({ _: 'client.queryAnswerPartEx', request_id: id, answer: Buffer.from('second'), flags: 1, final_info: { _: 'client.queryFinalInfo', flags: 0, tokens_used: tokens(7n) } });
  const body: string[] = [];
  for await (const chunk of answer.body) body.push(chunk.toString());
  assert.deepEqual(body, ['first ', 'second']);
  assert.deepEqual(await answer.usage, { totalTokens: 7, costNanoton: 140n });
  assert.equal(connection.forgotten, 1);
});

test('the legacy non-Ex error the reference proxy sends for rejections ends the request', async () => {
  const connection = new ProxyConnectionDouble();
  const pending = gatewayWith(connection).run(request());
  connection.listener!.onAnswerMessage({
    _: 'client.queryAnswerError', error_code: WireErrorCode.protoViolation, error: 'unknown model no/such-model',
    request_id: connection.query!.request_id as Buffer, request_tokens_used: tokens(0n),
  });
  await assert.rejects(pending, (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_ROUTE_UNKNOWN_MODEL' && error.httpStatus === 404);
});

test('a lost proxy connection mid-answer fails the body instead of hanging', async () => {
  const connection = new ProxyConnectionDouble();
  const pending = gatewayWith(connection).run(request());
  connection.listener!.onAnswerMessage({ _: 'client.queryAnswerEx', request_id: connection.query!.request_id as Buffer, answer: response, flags: 0 });
  const answer = await pending;
  connection.listener!.onConnectionLost(new CocoonError('CCN_ERR_SESSION_CLOSED'));
  await assert.rejects(async () => {
    for await (const _chunk of answer.body) { /* drain */ }
  }, (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_SESSION_CLOSED');
});

test('aborting the request (app gone, timer fired) releases it', async () => {
  const connection = new ProxyConnectionDouble();
  const controller = new AbortController();
  const pending = gatewayWith(connection).run(request(controller.signal));
  controller.abort(new CocoonError('CCN_ERR_TIMEOUT'));
  await assert.rejects(pending, (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_TIMEOUT');
  assert.equal(connection.forgotten, 1);
});

test('without a ready proxy the request fails at once with a retryable error', async () => {
  const connection = new ProxyConnectionDouble();
  connection.isReady = false;
  await assert.rejects(gatewayWith(connection).run(request()), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_ROUTE_NO_PROXY');
});

test('"no workers for model m: all 2 busy" from the proxy is the retryable busy error; plain "no workers" stays no-worker', async () => {
  for (const [text, code, retryAfter] of [['no workers for model m: all 2 busy', 'CCN_ERR_ROUTE_WORKERS_BUSY', 1], ['no workers for model m', 'CCN_ERR_ROUTE_NO_WORKER', undefined]] as const) {
    const connection = new ProxyConnectionDouble();
    const pending = gatewayWith(connection).run(request());
    connection.listener!.onAnswerMessage({
      _: 'client.queryAnswerErrorEx', request_id: connection.query!.request_id as Buffer, error_code: WireErrorCode.notReady, error: text,
      flags: 1, final_info: { _: 'client.queryFinalInfo', flags: 0, tokens_used: tokens(0n) },
    });
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof CocoonError);
      assert.equal(error.code, code);
      assert.equal(error.message, text);
      assert.equal(error.httpStatus, 503);
      assert.equal(error.retryAfterSeconds, retryAfter);
      return true;
    });
  }
});

test('the HTTP edge answers "workers busy" with 503, Retry-After: 1 and its code', async () => {
  const connection = new ProxyConnectionDouble();
  const gateway = gatewayWith(connection);
  const server = await startClientHttpServer({ host: '127.0.0.1', port: 0, gateway, stats: { jsonStats: () => ({}) } });
  try {
    const answering = fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const deadline = Date.now() + 5000;
    while (!connection.listener && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(connection.listener, 'the query reached the proxy connection');
    connection.listener.onAnswerMessage({
      _: 'client.queryAnswerErrorEx', request_id: connection.query!.request_id as Buffer, error_code: WireErrorCode.notReady,
      error: 'no workers for model m: all 2 busy', flags: 1, final_info: { _: 'client.queryFinalInfo', flags: 0, tokens_used: tokens(0n) },
    });
    const response = await answering;
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '1');
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'CCN_ERR_ROUTE_WORKERS_BUSY');
    assert.equal(body.error.message, 'no workers for model m: all 2 busy');
  } finally {
    await server.close();
  }
});
