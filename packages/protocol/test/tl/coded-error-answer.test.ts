/**
 * The coded error answers (docs/protocol.md §19): built per hop and session, they encode with the
 * schema's ext.* IDs and decode back with their code; without `errorCodes` the bytes are exactly the
 * reference message's; the code a relayed error travels with; a received code as a PeerReportedError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CocoonError, PeerReportedError, WireErrorCode, cocoonCodeOfPeerError, cocoonCodeToSend, constructorId, decodeBoxed, encodeBoxed,
  errorAnswerMessage, extensionsOfAlpn, isCocoonErrorCode, isErrorAnswer, peerErrorOfAnswer,
} from '../../src/index.ts';
import type { TlObject } from '../../src/index.ts';

const NEGOTIATED = extensionsOfAlpn('cocoon-ext-1');
const REFERENCE = extensionsOfAlpn(undefined);
const requestId = Buffer.alloc(32, 3);
const tokens = { _: 'tokensUsed', prompt_tokens_used: 1n, cached_tokens_used: 0n, completion_tokens_used: 2n, reasoning_tokens_used: 0n, total_tokens_used: 3n };
const clientInfo: TlObject = { _: 'client.queryFinalInfo', flags: 2, tokens_used: tokens, proxy_start_time: 1, proxy_end_time: 2, worker_start_time: 1, worker_end_time: 2 };
const proxyInfo: TlObject = { _: 'proxy.queryFinalInfo', flags: 2, tokens_used: tokens, worker_start_time: 1, worker_end_time: 2 };

test('coded on a negotiated session, with the ext IDs, decoding back to the same code', () => {
  const error = new CocoonError('CCN_ERR_WORKER_OVERLOADED');
  for (const [hop, finalInfo, name] of [['client', clientInfo, 'ext.clientQueryAnswerErrorCoded'], ['proxy', proxyInfo, 'ext.proxyQueryAnswerErrorCoded']] as const) {
    const bytes = encodeBoxed(errorAnswerMessage(hop, NEGOTIATED, { requestId, error, finalInfo }));
    assert.equal(bytes.readUInt32LE(0), constructorId(name));
    const decoded = decodeBoxed(bytes);
    assert.ok(isErrorAnswer(hop, decoded));
    assert.equal(decoded.ccn_code, 'CCN_ERR_WORKER_OVERLOADED');
    assert.equal(decoded.error_code, WireErrorCode.notReady);
    const peer = peerErrorOfAnswer(decoded);
    assert.equal(peer.cocoonCode, 'CCN_ERR_WORKER_OVERLOADED');
    assert.equal(cocoonCodeOfPeerError(peer, { referencePeer: false }), 'CCN_ERR_WORKER_OVERLOADED');
  }
});

test('without errorCodes the bytes are the reference message, unchanged', () => {
  const error = new CocoonError('CCN_ERR_ROUTE_WORKERS_BUSY', 'no workers for model m: all 2 busy');
  const ours = encodeBoxed(errorAnswerMessage('client', REFERENCE, { requestId, error, finalInfo: clientInfo }));
  const reference = encodeBoxed({ _: 'client.queryAnswerErrorEx', request_id: requestId, error_code: WireErrorCode.notReady, error: error.message, flags: 1, final_info: clientInfo });
  assert.ok(ours.equals(reference));
  assert.equal(peerErrorOfAnswer(decodeBoxed(ours)).cocoonCode, undefined);
  assert.equal(errorAnswerMessage('proxy', undefined, { requestId, error })._, 'proxy.queryAnswerErrorEx');
});

test('the code a relayed error travels with', () => {
  assert.equal(cocoonCodeToSend(new CocoonError('CCN_ERR_BILLING_INSUFFICIENT_BALANCE')), 'CCN_ERR_BILLING_INSUFFICIENT_BALANCE');
  assert.equal(cocoonCodeToSend(new PeerReportedError(WireErrorCode.failure, 'x', 'CCN_ERR_FROM_THE_FUTURE')), 'CCN_ERR_FROM_THE_FUTURE', 'unknown codes are relayed');
  assert.equal(cocoonCodeToSend(new PeerReportedError(WireErrorCode.timeout, 'x', 'garbage')), 'CCN_ERR_TIMEOUT', 'a malformed one falls back by wire code');
  assert.equal(cocoonCodeToSend(new PeerReportedError(WireErrorCode.protoViolation, 'worker: invalid http request: x')), 'CCN_ERR_WORKER_INVALID_REQUEST', 'a reference peer by its text');
  assert.equal(cocoonCodeToSend(new Error('secret detail')), 'CCN_ERR_INTERNAL');
  assert.equal(errorAnswerMessage('client', NEGOTIATED, { requestId, error: new Error('secret detail') }).error, 'internal error');
});

test('isCocoonErrorCode accepts table codes only', () => {
  assert.ok(isCocoonErrorCode('CCN_ERR_TIMEOUT'));
  for (const text of ['CCN_ERR_NOPE', 'constructor', '__proto__', '', 7, undefined]) assert.ok(!isCocoonErrorCode(text), String(text));
});
