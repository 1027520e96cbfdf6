// The error table: code names, HTTP statuses and wire codes stay within their rules, and the
// helpers around CocoonError (retryability, Retry-After, wrapping, wire → HTTP) keep their meaning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CocoonError,
  ERROR_TABLE,
  WireErrorCode,
  httpStatusForWireCode,
  isCocoonError,
  isRetryable,
  toCocoonError,
  type CocoonErrorCode,
} from '@cocoon/protocol';

const codes = Object.keys(ERROR_TABLE) as CocoonErrorCode[];
const wireCodes = new Set<number>(Object.values(WireErrorCode));

test('every code is CCN_ERR_<AREA>_<WHAT> with a real HTTP status and a reference wire code', () => {
  for (const code of codes) {
    const spec = ERROR_TABLE[code];
    assert.match(code, /^CCN_ERR_[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, code);
    assert.ok(spec.http >= 400 && spec.http <= 599, `${code}: HTTP ${spec.http}`);
    assert.ok(wireCodes.has(spec.wire), `${code}: wire code ${spec.wire}`);
    assert.ok(spec.message.length > 0, `${code}: message`);
  }
});

test('Retry-After is only suggested for retryable 503s', () => {
  for (const code of codes) {
    const spec = ERROR_TABLE[code] as { http: number; retryable: boolean; retryAfterSeconds?: number };
    if (spec.retryAfterSeconds === undefined) continue;
    assert.equal(spec.http, 503, code);
    assert.equal(spec.retryable, true, code);
  }
  assert.equal(new CocoonError('CCN_ERR_ROUTE_WORKERS_BUSY').retryAfterSeconds, 1);
  assert.equal(new CocoonError('CCN_ERR_ROUTE_NO_WORKER').retryAfterSeconds, undefined);
});

test('a CocoonError carries its table entry, message and param', () => {
  const error = new CocoonError('CCN_ERR_HTTP_MISDIRECTED', undefined, { param: 'host' });
  assert.equal(error.message, ERROR_TABLE.CCN_ERR_HTTP_MISDIRECTED.message);
  assert.equal(error.httpStatus, 421);
  assert.equal(error.wireCode, WireErrorCode.error);
  assert.equal(error.param, 'host');
  assert.equal(isCocoonError(error), true);
  assert.equal(isRetryable(error), false);
  assert.equal(isRetryable(new CocoonError('CCN_ERR_WORKER_DISCONNECTED')), true);
  assert.equal(isRetryable(new Error('plain')), false);
});

test('toCocoonError keeps CocoonErrors and wraps anything else with its cause', () => {
  const original = new CocoonError('CCN_ERR_TIMEOUT');
  assert.equal(toCocoonError(original), original);
  const cause = new Error('disk on fire');
  const wrapped = toCocoonError(cause, 'CCN_ERR_LEDGER_CORRUPT');
  assert.equal(wrapped.code, 'CCN_ERR_LEDGER_CORRUPT');
  assert.equal(wrapped.message, 'disk on fire');
  assert.equal(wrapped.cause, cause);
  assert.equal(toCocoonError('text').code, 'CCN_ERR_INTERNAL');
});

test('wire codes from peers map to the reference HTTP statuses', () => {
  assert.equal(httpStatusForWireCode(WireErrorCode.timeout), 504);
  assert.equal(httpStatusForWireCode(WireErrorCode.notReady), 502);
  assert.equal(httpStatusForWireCode(WireErrorCode.protoViolation), 400);
  assert.equal(httpStatusForWireCode(WireErrorCode.error), 400);
  assert.equal(httpStatusForWireCode(WireErrorCode.failure), 500);
  assert.equal(httpStatusForWireCode(12345), 500);
});
