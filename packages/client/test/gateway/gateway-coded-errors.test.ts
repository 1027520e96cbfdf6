/**
 * The protocol gateway's error codes (docs/protocol.md §19) with a proxy-connection double: on a
 * session that negotiated `errorCodes` the code on the wire decides, never the message text (an
 * unknown code from a newer proxy falls back by wire code); only with a reference proxy (nothing
 * negotiated) are the reference texts read, then the wire code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, DEV_NETWORK_PARAMS, StaticNetworkParamsSource, WireErrorCode, extensionsOfAlpn } from '@cocoon/protocol';
import type { SessionExtension, TlObject } from '@cocoon/protocol';
import { ProtocolInferenceGateway } from '../../src/gateway/protocol-inference-gateway.ts';
import { ClientStats } from '../../src/client-stats.ts';
import type { AnswerListener, ClientProxyConnection, RunningQueryLink } from '../../src/connection/client-proxy-connection.ts';
import type { GatewayRequest } from '../../src/http/index.ts';

const NEGOTIATED = extensionsOfAlpn('cocoon-ext-1');
const REFERENCE = extensionsOfAlpn(undefined);

class ConnectionDouble {
  isReady = true;
  listener: AnswerListener | undefined;
  constructor(private readonly extensions: ReadonlySet<SessionExtension>) {}
  runQuery(_query: TlObject, listener: AnswerListener): RunningQueryLink {
    this.listener = listener;
    return { extensions: this.extensions, cancel() {}, grantCredit() {}, holdReading: () => () => undefined };
  }
  forget() {}
}

/** Runs one request whose only answer is `message`; resolves with the CocoonError the app gets. */
async function failureOf(extensions: ReadonlySet<SessionExtension>, message: TlObject): Promise<CocoonError> {
  const connection = new ConnectionDouble(extensions);
  const gateway = new ProtocolInferenceGateway({ connections: [connection as unknown as ClientProxyConnection], params: new StaticNetworkParamsSource(DEV_NETWORK_PARAMS), stats: new ClientStats(Date.now) });
  const request: GatewayRequest = {
    path: '/v1/chat/completions', method: 'POST', headers: {}, body: Buffer.from('{"model":"m"}'), model: 'm', maxCoefficient: 4000, maxTokens: 1000, timeoutMs: 120_000,
    enableDebug: false, signal: new AbortController().signal,
  };
  const answer = gateway.run(request);
  connection.listener!.onAnswerMessage({ ...message, request_id: Buffer.alloc(32) });
  const error = await answer.then(() => assert.fail('expected an error'), (failure: unknown) => failure);
  assert.ok(error instanceof CocoonError);
  return error;
}

const coded = (ccnCode: string, errorCode: number, error: string) => ({ _: 'ext.clientQueryAnswerErrorCoded', error_code: errorCode, error, ccn_code: ccnCode, flags: 0 });
const plain = (errorCode: number, error: string) => ({ _: 'client.queryAnswerErrorEx', error_code: errorCode, error, flags: 0 });

test('a coded error gives its code and HTTP status whatever the text says', async () => {
  const busy = await failureOf(NEGOTIATED, coded('CCN_ERR_ROUTE_WORKERS_BUSY', WireErrorCode.notReady, 'anything at all'));
  assert.equal(busy.code, 'CCN_ERR_ROUTE_WORKERS_BUSY');
  assert.equal(busy.httpStatus, 503);
  assert.equal(busy.retryAfterSeconds, 1);
  assert.equal(busy.message, 'anything at all', 'the peer message is kept');
  const overloaded = await failureOf(NEGOTIATED, coded('CCN_ERR_WORKER_OVERLOADED', WireErrorCode.notReady, 'unknown model x (misleading text)'));
  assert.equal(overloaded.code, 'CCN_ERR_WORKER_OVERLOADED');
  assert.equal(overloaded.httpStatus, 503);
  const billing = await failureOf(NEGOTIATED, coded('CCN_ERR_BILLING_RESERVATION_DEPLETED', WireErrorCode.error, 'x'));
  assert.equal(billing.code, 'CCN_ERR_BILLING_RESERVATION_DEPLETED');
  assert.equal(billing.httpStatus, 402);
  const moving = await failureOf(NEGOTIATED, coded('CCN_ERR_TON_PARAMS_CHANGED', WireErrorCode.notReady, 'x'));
  assert.equal(moving.code, 'CCN_ERR_TON_PARAMS_CHANGED');
});

test('an unknown or malformed code (a newer proxy) falls back by wire code, never by text', async () => {
  const cases: Array<[string, number, string]> = [
    ['CCN_ERR_SOMETHING_NEW', WireErrorCode.timeout, 'CCN_ERR_TIMEOUT'],
    ['CCN_ERR_SOMETHING_NEW', WireErrorCode.notReady, 'CCN_ERR_WORKER_DISCONNECTED'],
    ['CCN_ERR_SOMETHING_NEW', WireErrorCode.protoViolation, 'CCN_ERR_HTTP_BAD_REQUEST'],
    ['not a code at all', WireErrorCode.failure, 'CCN_ERR_ENGINE_FAILED'],
    ['constructor', WireErrorCode.error, 'CCN_ERR_HTTP_BAD_REQUEST'],
  ];
  for (const [ccnCode, wire, expected] of cases) {
    const error = await failureOf(NEGOTIATED, coded(ccnCode, wire, 'no workers for model m: all 3 busy'));
    assert.equal(error.code, expected, `${ccnCode} / ${wire}`);
  }
});

test('an uncoded error on a negotiated session is not read by its text', async () => {
  const error = await failureOf(NEGOTIATED, plain(WireErrorCode.protoViolation, 'unknown model m'));
  assert.equal(error.code, 'CCN_ERR_HTTP_BAD_REQUEST');
});

test('a reference proxy (nothing negotiated): its texts first, then the wire code', async () => {
  assert.equal((await failureOf(REFERENCE, plain(WireErrorCode.protoViolation, 'unknown model m'))).code, 'CCN_ERR_ROUTE_UNKNOWN_MODEL');
  assert.equal((await failureOf(REFERENCE, plain(WireErrorCode.notReady, 'no workers for model m'))).code, 'CCN_ERR_ROUTE_NO_WORKER');
  assert.equal((await failureOf(REFERENCE, plain(WireErrorCode.notReady, 'no workers for model m: all 2 busy'))).code, 'CCN_ERR_ROUTE_WORKERS_BUSY');
  assert.equal((await failureOf(REFERENCE, plain(WireErrorCode.timeout, 'proxy: timeout'))).code, 'CCN_ERR_TIMEOUT');
  const legacy = await failureOf(REFERENCE, { _: 'client.queryAnswerError', error_code: WireErrorCode.protoViolation, error: 'unknown model m' });
  assert.equal(legacy.code, 'CCN_ERR_ROUTE_UNKNOWN_MODEL');
});
