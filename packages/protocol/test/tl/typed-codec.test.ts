/**
 * Tests of the typed codec entry points: decodeBoxedAs (accepts the expected constructors and
 * functions, refuses others before decoding, with the right code) and the encodeBoxed overload
 * typed by the generated schema types. The `@ts-expect-error` lines are checked by `tsc`: they fail
 * the type check if the generated types stop catching those mistakes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { constructorId, decodeBoxed, decodeBoxedAs, encodeBoxed, expectBoxed } from '../../src/tl/index.ts';
import type {
  ClientQueryAnswerExType, ClientRunQueryEx, ProxyRunQueryEx, SignedPayment, TcpMessage, TcpPong, TlFunctionMap, TlObject,
} from '../../src/tl/index.ts';
import { ClientQueryAnswerExFlag, ClientRunQueryExFlag } from '../../src/tl/index.ts';

const throwsCode = (run: () => unknown, code: string, message?: RegExp): void => {
  assert.throws(run, (error: unknown) => (error as { code?: unknown }).code === code && (message === undefined || message.test(String(error))));
};
const tokens = { _: 'tokensUsed', prompt_tokens_used: 1n, cached_tokens_used: 2n, completion_tokens_used: 3n, reasoning_tokens_used: 4n, total_tokens_used: 10n } as const;
const query: ClientRunQueryEx = {
  _: 'client.runQueryEx', model_name: 'm', query: Buffer.from('{}'), max_coefficient: 4000, max_tokens: 100, timeout: 30, request_id: Buffer.alloc(32, 7),
  min_config_version: 0,
};

describe('decodeBoxedAs', () => {
  test('returns the expected constructor with its generated type', () => {
    const encoded = encodeBoxed<'client.queryAnswerEx'>({
      _: 'client.queryAnswerEx', request_id: Buffer.alloc(32), answer: Buffer.from('hi'), final_info: { _: 'client.queryFinalInfo', tokens_used: tokens },
    });
    const answer: TlFunctionMap['client.runQueryEx']['result'] = decodeBoxedAs(encoded, 'client.queryAnswerEx', 'client.queryAnswerPartEx', 'client.queryAnswerErrorEx');
    assert.equal(answer._, 'client.queryAnswerEx');
    const total: bigint | undefined = answer.final_info?.tokens_used.total_tokens_used;
    assert.equal(total, 10n);
    assert.equal(answer.answer.toString(), 'hi');
    assert.equal(answer.flags, ClientQueryAnswerExFlag.final_info);
  });

  test('decodes function calls too', () => {
    const decoded = decodeBoxedAs(encodeBoxed({ ...query, enable_debug: true }), 'client.runQueryEx');
    const debug: boolean | undefined = decoded.enable_debug;
    assert.equal(debug, true);
    assert.equal(decoded.flags, ClientRunQueryExFlag.enable_debug);
    assert.deepEqual(decoded.request_id, query.request_id);
  });

  test('refuses a known constructor that is not expected with CCN_ERR_PROTOCOL_VIOLATION, before decoding', () => {
    const ping = encodeBoxed({ _: 'tcp.ping', id: 1n });
    throwsCode(() => decodeBoxedAs(ping, 'tcp.pong', 'tcp.packet'), 'CCN_ERR_PROTOCOL_VIOLATION', /expected tcp\.pong or tcp\.packet, got tcp\.ping/);
    // A truncated body is not decoded when the name is already wrong.
    throwsCode(() => decodeBoxedAs(ping.subarray(0, 6), 'tcp.pong'), 'CCN_ERR_PROTOCOL_VIOLATION');
    throwsCode(() => decodeBoxedAs(encodeBoxed(query), 'client.runQuery'), 'CCN_ERR_PROTOCOL_VIOLATION', /got client\.runQueryEx/);
  });

  test('refuses an unknown or generic constructor ID with CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', () => {
    throwsCode(() => decodeBoxedAs(Buffer.from('0102030400000000', 'hex'), 'tcp.ping'), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', /#04030201 \(expected tcp\.ping\)/);
    const vector = Buffer.alloc(8);
    vector.writeUInt32LE(constructorId('vector'), 0);
    throwsCode(() => decodeBoxedAs(vector, 'tcp.ping'), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
  });

  test('short, truncated and trailing bytes stay CCN_ERR_PROTOCOL_DECODE', () => {
    const pong = encodeBoxed({ _: 'tcp.pong', id: 5n });
    throwsCode(() => decodeBoxedAs(pong.subarray(0, 3), 'tcp.pong'), 'CCN_ERR_PROTOCOL_DECODE', /expected tcp\.pong, got 3 byte/);
    throwsCode(() => decodeBoxedAs(pong.subarray(0, 8), 'tcp.pong'), 'CCN_ERR_PROTOCOL_DECODE');
    throwsCode(() => decodeBoxedAs(Buffer.concat([pong, Buffer.alloc(4)]), 'tcp.pong'), 'CCN_ERR_PROTOCOL_DECODE');
    assert.equal(decodeBoxedAs(pong, 'tcp.pong').id, 5n);
  });
});

describe('typed encodeBoxed', () => {
  test('generated values go to the untyped API without casts and back', () => {
    const pong: TcpPong = { _: 'tcp.pong', id: 9n };
    const message: TcpMessage = pong;
    const generic: TlObject = message;
    assert.deepEqual(decodeBoxed(encodeBoxed(generic)), pong);
    const packet = expectBoxed<TcpMessage>(encodeBoxed(pong), 'tcp.pong');
    assert.equal(packet._ === 'tcp.pong' ? packet.id : undefined, 9n);
  });

  test('the name as type argument checks the value against the schema', () => {
    const request: ProxyRunQueryEx = {
      _: 'proxy.runQueryEx', query: Buffer.from('{}'), signed_payment: { _: 'proxy.signedPaymentEmpty' }, coefficient: 1000n, timeout: 30, request_id: Buffer.alloc(32),
    };
    assert.equal(encodeBoxed<'proxy.runQueryEx'>(request).readUInt32LE(4 + 4), 0xb347ce64);
    // @ts-expect-error a long is a bigint, not a string
    throwsCode(() => encodeBoxed<'tcp.pong'>({ _: 'tcp.pong', id: 'x' }), 'CCN_ERR_PROTOCOL_DECODE');
    // @ts-expect-error a required field is missing
    throwsCode(() => encodeBoxed<'tcp.pong'>({ _: 'tcp.pong' }), 'CCN_ERR_PROTOCOL_DECODE');
    // @ts-expect-error signed_payment is a proxy.SignedPayment, not a tcp.ping
    const wrongPayment: SignedPayment = { _: 'tcp.ping', id: 1n };
    throwsCode(() => encodeBoxed({ ...request, signed_payment: wrongPayment }), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
    // @ts-expect-error a misspelled optional field is refused (the codec would silently leave it out)
    const misspelled: ClientRunQueryEx = { ...query, enable_debg: true };
    assert.equal(decodeBoxedAs(encodeBoxed(misspelled), 'client.runQueryEx').flags, 0);
    const union: ClientQueryAnswerExType = { _: 'client.queryAnswerErrorEx', request_id: Buffer.alloc(32), error_code: 1, error: 'e' };
    assert.equal(decodeBoxed(encodeBoxed(union)).error, 'e');
  });
});
