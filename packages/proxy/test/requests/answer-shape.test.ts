/**
 * The version-specific message shapes (§3.3) as the reference 9060ce5 proxy builds them, through the
 * codec: `proxy.runQuery` for a version-0 worker (never with a key), `proxy.runQueryEx` flags 1 / 3
 * otherwise; legacy worker answers read as Ex with `final_info` only when completed; Ex client
 * answers written as the legacy ones for a version-0 client and left alone for ≥ 1.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_SIGNED_PAYMENT, decodeBoxed, encodeBoxed } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { ZERO_TOKENS, clientAnswerShape, workerAnswerAsEx, workerRunQuery } from '../../src/requests/answer-shape.ts';

const wire = (message: TlObject): TlObject => decodeBoxed(encodeBoxed(message));
const used: TlObject = { _: 'tokensUsed', prompt_tokens_used: 1n, cached_tokens_used: 0n, completion_tokens_used: 2n, reasoning_tokens_used: 0n, total_tokens_used: 3n };
const requestId = Buffer.alloc(32, 7);
const fields = { query: Buffer.from('q'), signedPayment: EMPTY_SIGNED_PAYMENT, coefficient: 1500, timeoutSeconds: 9.5, requestId, enableDebug: true, privateKey: undefined };

describe('workerRunQuery', () => {
  test('version 0: proxy.runQuery without flags, debug or key; an encrypted request is refused', () => {
    const legacy = wire(workerRunQuery(0, fields));
    assert.deepEqual(legacy, { _: 'proxy.runQuery', query: Buffer.from('q'), signed_payment: EMPTY_SIGNED_PAYMENT, coefficient: 1500n, timeout: 9.5, request_id: requestId });
    assert.throws(() => workerRunQuery(0, { ...fields, privateKey: Buffer.alloc(32, 1) }), /version-0 worker/);
  });

  test('versions 1–2: runQueryEx flags 1; 3–4: flags 3 with the key (zeros when clear)', () => {
    const two = wire(workerRunQuery(2, fields));
    assert.equal(two._, 'proxy.runQueryEx');
    assert.equal(two.flags, 1);
    assert.equal(two.private_key, undefined);
    const four = wire(workerRunQuery(4, fields));
    assert.equal(four.flags, 3);
    assert.ok((four.private_key as Buffer).equals(Buffer.alloc(32)));
    assert.ok((wire(workerRunQuery(3, { ...fields, privateKey: Buffer.alloc(32, 9) })).private_key as Buffer).equals(Buffer.alloc(32, 9)));
  });
});

describe('workerAnswerAsEx', () => {
  test('legacy answers and parts carry final_info (flags 0, their usage) only when completed', () => {
    const open = workerAnswerAsEx({ _: 'proxy.queryAnswer', answer: Buffer.from('a'), is_completed: false, request_id: requestId, tokens_used: used });
    assert.deepEqual(open, { _: 'proxy.queryAnswerEx', request_id: requestId, answer: Buffer.from('a'), flags: 0 });
    const last = wire(workerAnswerAsEx({ _: 'proxy.queryAnswerPart', answer: Buffer.from('b'), is_completed: true, request_id: requestId, tokens_used: used }));
    assert.equal(last._, 'proxy.queryAnswerPartEx');
    assert.deepEqual(last.final_info, { _: 'proxy.queryFinalInfo', flags: 0, tokens_used: used });
  });

  test('both legacy errors become queryAnswerErrorEx with their usage; Ex answers pass unchanged', () => {
    for (const name of ['proxy.queryAnswerError', 'proxy.queryAnswerPartError']) {
      const error = wire(workerAnswerAsEx({ _: name, error_code: 602, error: 'no', request_id: requestId, tokens_used: used }));
      assert.equal(error._, 'proxy.queryAnswerErrorEx');
      assert.equal(error.flags, 1);
      assert.deepEqual((error.final_info as TlObject).tokens_used, used);
    }
    const ex = { _: 'proxy.queryAnswerEx', request_id: requestId, answer: Buffer.alloc(0), flags: 0 };
    assert.equal(workerAnswerAsEx(ex), ex);
  });
});

describe('clientAnswerShape', () => {
  const finalInfo = { _: 'client.queryFinalInfo', flags: 2, tokens_used: used, proxy_start_time: 1, proxy_end_time: 2, worker_start_time: 0, worker_end_time: 0 };

  test('version ≥ 1 is unchanged', () => {
    const ex = { _: 'client.queryAnswerEx', request_id: requestId, answer: Buffer.from('a'), flags: 0 };
    assert.equal(clientAnswerShape(1, ex, false), ex);
  });

  test('version 0: answer and part with is_completed and the usage (zeros before the end)', () => {
    assert.deepEqual(wire(clientAnswerShape(0, { _: 'client.queryAnswerEx', request_id: requestId, answer: Buffer.from('a'), flags: 0 }, false)), {
      _: 'client.queryAnswer', answer: Buffer.from('a'), is_completed: false, request_id: requestId, request_tokens_used: ZERO_TOKENS,
    });
    assert.deepEqual(wire(clientAnswerShape(0, { _: 'client.queryAnswerPartEx', request_id: requestId, answer: Buffer.from('b'), flags: 1, final_info: finalInfo }, true)), {
      _: 'client.queryAnswerPart', answer: Buffer.from('b'), is_completed: true, request_id: requestId, request_tokens_used: used,
    });
  });

  test('version 0: an error is queryAnswerError before any answer, queryAnswerPartError after; coded errors too', () => {
    const error = { _: 'client.queryAnswerErrorEx', request_id: requestId, error_code: 652, error: 'proxy: timeout', flags: 1, final_info: finalInfo };
    assert.deepEqual(wire(clientAnswerShape(0, error, false)), { _: 'client.queryAnswerError', error_code: 652, error: 'proxy: timeout', request_id: requestId, request_tokens_used: used });
    assert.equal(clientAnswerShape(0, error, true)._, 'client.queryAnswerPartError');
    assert.equal(clientAnswerShape(0, { ...error, _: 'ext.clientQueryAnswerErrorCoded', ccn_code: 'CCN_ERR_TIMEOUT' }, false)._, 'client.queryAnswerError');
    assert.throws(() => clientAnswerShape(0, { _: 'proxy.clientRequestPayment' }, false), /no version-0 form/);
  });
});
