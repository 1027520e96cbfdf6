/**
 * Unit tests of the TL codec: constructor IDs against Appendix A, round trips of every schema
 * entry, flags handling, strings/bytes layout, and every error path (truncation, trailing bytes,
 * unknown constructors, bad values).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import {
  COCOON_SCHEMA_TEXT, cocoonSchema, constructorId, constructorNameOf, decodeBoxed, encodeBoxed, encodeBoxedWithHeaderRoom, expectBoxed,
  findCombinator, readBoxed, TlReader, TlWriter, writeBoxed,
} from '../../src/tl/index.ts';
import type { TlObject } from '../../src/tl/index.ts';
import { loadReferenceConstructorIds } from './reference-data.ts';
import { sampleObject, withoutFlags } from './tl-sample-values.ts';

const codeOf = (error: unknown): unknown => (error as { code?: unknown }).code;
const throwsCode = (run: () => unknown, code: string): void => {
  assert.throws(run, (error: unknown) => codeOf(error) === code);
};
const concrete = cocoonSchema.combinators.filter((combinator) => !combinator.isGeneric);
const REQUIRED = [
  'boolTrue', 'boolFalse', 'vector', 'tcp.connect', 'tcp.connected', 'tcp.ping', 'tcp.pong', 'tcp.packet', 'tcp.query', 'tcp.queryAnswer',
  'tcp.queryError', 'http.header', 'http.request', 'http.response', 'tokensUsed', 'client.params', 'proxy.params', 'worker.params',
  'client.connectToProxy', 'client.connectedToProxy', 'client.proxyConnectionAuthShort', 'client.proxyConnectionAuthLong',
  'client.authorizeWithProxyShort', 'client.authorizeWithProxyLong', 'client.authorizationWithProxySuccess', 'client.authorizationWithProxyFailed',
  'client.runQuery', 'client.runQueryEx', 'client.queryAnswer', 'client.queryAnswerError', 'client.queryAnswerPart', 'client.queryAnswerPartError',
  'client.queryAnswerEx', 'client.queryAnswerErrorEx', 'client.queryAnswerPartEx', 'client.queryFinalInfo', 'client.getWorkerTypes',
  'client.workerTypes', 'client.workerType', 'client.getWorkerTypesV2', 'client.workerTypesV2', 'client.workerTypeV2', 'client.workerInstanceV2',
  'client.updatePaymentStatus', 'client.paymentStatus', 'client.requestRefund', 'client.refund', 'client.refundRejected',
  'proxy.signedPayment', 'proxy.signedPaymentEmpty', 'proxy.clientRequestPayment', 'proxy.workerRequestPayment', 'proxy.runQuery',
  'proxy.runQueryEx', 'proxy.queryFinalInfo', 'proxy.queryAnswer', 'proxy.queryAnswerError', 'proxy.queryAnswerPart', 'proxy.queryAnswerPartError',
  'proxy.queryAnswerEx', 'proxy.queryAnswerErrorEx', 'proxy.queryAnswerPartEx', 'worker.connectToProxy', 'worker.connectedToProxy',
  'worker.compareBalanceWithProxy', 'worker.compareBalanceWithProxyResult', 'worker.extendedCompareBalanceWithProxy',
  'worker.extendedCompareBalanceWithProxyResult', 'worker.proxyHandshakeComplete', 'worker.proxyHandshakeCompleted', 'worker.enabledDisabled',
  'worker.newCoefficient', 'worker.updatePaymentStatus', 'worker.paymentStatus',
];

describe('constructor IDs', () => {
  const appendix = loadReferenceConstructorIds();

  test('every schema entry has the ID listed in Appendix A', () => {
    assert.ok(appendix.size > 90);
    for (const combinator of cocoonSchema.combinators) {
      if (combinator.name.startsWith('ext.')) continue; // ours, checked below
      assert.equal(combinator.id, appendix.get(combinator.name), combinator.name);
      assert.equal(constructorId(combinator.name), appendix.get(combinator.name));
    }
  });

  test('our ext.* extensions carry the CRC32 of their canonical line and collide with no reference ID or name', () => {
    const extensions = cocoonSchema.combinators.filter((combinator) => combinator.name.startsWith('ext.'));
    assert.ok(extensions.length >= 18, 'every ext.* line is checked');
    const referenceIds = new Set(appendix.values());
    for (const combinator of extensions) {
      const line = COCOON_SCHEMA_TEXT.split('\n').find((text) => text.startsWith(`${combinator.name}#`));
      assert.ok(line, combinator.name);
      const canonical = line.replace(/#[0-9a-f]{8}/, '').replace(/;\s*$/, '');
      assert.equal(combinator.id, crc32(canonical) >>> 0, canonical);
      assert.ok(!referenceIds.has(combinator.id), `${combinator.name} collides with a reference ID`);
      assert.ok(!appendix.has(combinator.name), combinator.name);
    }
  });

  test('the schema covers every wire message of the brief', () => {
    const names = new Set(cocoonSchema.combinators.map((combinator) => combinator.name));
    for (const name of REQUIRED) assert.ok(names.has(name), name);
  });

  test('constructorId is unsigned and constructorNameOf peeks the first 4 bytes', () => {
    assert.equal(constructorId('tcp.connect'), 0xa57c4261);
    assert.equal(constructorId('vector'), 0x1cb5c415);
    assert.equal(constructorNameOf(Buffer.from('61427ca5ffff', 'hex')), 'tcp.connect');
    assert.equal(constructorNameOf(Buffer.from('61427c', 'hex')), undefined);
    assert.equal(constructorNameOf(Buffer.from('00000000', 'hex')), undefined);
    throwsCode(() => constructorId('no.such'), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
  });
});

describe('round trips', () => {
  for (const combinator of concrete) {
    test(`${combinator.name} with every optional field`, () => {
      const sample = sampleObject(combinator);
      const encoded = encodeBoxed(sample);
      assert.equal(encoded.readUInt32LE(0), combinator.id);
      assert.equal(encoded.length % 4, 0);
      const decoded = decodeBoxed(encoded);
      assert.deepEqual(withoutFlags(decoded), sample);
      assert.deepEqual(encodeBoxed(decoded), encoded);
      for (let length = 0; length < encoded.length; length += 1) {
        throwsCode(() => decodeBoxed(encoded.subarray(0, length)), 'CCN_ERR_PROTOCOL_DECODE');
      }
      throwsCode(() => decodeBoxed(Buffer.concat([encoded, Buffer.alloc(4)])), 'CCN_ERR_PROTOCOL_DECODE');
    });
  }

  test('tcp.query with bigint id and nested boxed payload', () => {
    const inner = encodeBoxed({ _: 'worker.proxyHandshakeComplete', is_disabled: false });
    const encoded = encodeBoxed({ _: 'tcp.query', id: -5n, data: inner });
    assert.equal(encoded.toString('hex'), '0819f53afbffffffffffffff' + '08' + '66b043f8' + '379779bc' + '000000');
    const decoded = expectBoxed<TlObject & { id: bigint; data: Buffer }>(encoded, 'tcp.query', 'tcp.packet');
    assert.equal(decoded.id, -5n);
    assert.deepEqual(decodeBoxed(decoded.data), { _: 'worker.proxyHandshakeComplete', is_disabled: false });
  });

  test('long accepts the unsigned range and safe-integer numbers, decodes signed', () => {
    const unsigned = decodeBoxed(encodeBoxed({ _: 'tcp.ping', id: 2n ** 64n - 1n }));
    assert.equal(unsigned.id, -1n);
    assert.equal(decodeBoxed(encodeBoxed({ _: 'tcp.ping', id: 42 })).id, 42n);
  });
});

describe('flags', () => {
  const tokens = { _: 'tokensUsed', prompt_tokens_used: 1n, cached_tokens_used: 2n, completion_tokens_used: 3n, reasoning_tokens_used: 4n, total_tokens_used: 10n };

  test('computed from the present optional fields when flags is undefined', () => {
    const info = { _: 'client.queryFinalInfo', tokens_used: tokens, proxy_start_time: 1, proxy_end_time: 2, worker_start_time: 3, worker_end_time: 4 };
    const decoded = decodeBoxed(encodeBoxed({ _: 'client.queryAnswerPartEx', request_id: Buffer.alloc(32), answer: Buffer.alloc(0), final_info: info }));
    assert.equal(decoded.flags, 1);
    const finalInfo = decoded.final_info as TlObject;
    assert.equal(finalInfo.flags, 2);
    assert.equal('worker_debug' in finalInfo, false);
    assert.equal(finalInfo.worker_end_time, 4);
    const bare = decodeBoxed(encodeBoxed({ _: 'client.queryAnswerPartEx', request_id: Buffer.alloc(32), answer: Buffer.from('x') }));
    assert.equal(bare.flags, 0);
    assert.equal('final_info' in bare, false);
  });

  test('given flags are written as is, including unknown bits, and only set-bit fields are written', () => {
    const value = { _: 'client.params', flags: 0x10, client_owner_address: 'a', is_test: true, min_proto_version: 1, max_proto_version: 2 };
    const encoded = encodeBoxed(value);
    assert.equal(encoded.toString('hex'), '64cafd40' + '10000000' + '01610000');
    assert.deepEqual(decodeBoxed(encoded), { _: 'client.params', flags: 0x10, client_owner_address: 'a' });
    const onlyProto = decodeBoxed(encodeBoxed({ ...value, flags: 2 }));
    assert.deepEqual(onlyProto, { _: 'client.params', flags: 2, client_owner_address: 'a', min_proto_version: 1, max_proto_version: 2 });
  });

  test('a set bit with a missing field is an error', () => {
    throwsCode(() => encodeBoxed({ _: 'client.params', flags: 1, client_owner_address: 'a' }), 'CCN_ERR_PROTOCOL_DECODE');
    throwsCode(() => encodeBoxed({ _: 'worker.params', worker_owner_address: 'a', model: 'm', coefficient: 1, is_test: true }), 'CCN_ERR_PROTOCOL_DECODE');
  });

  test('flags outside u32 are rejected', () => {
    throwsCode(() => encodeBoxed({ _: 'client.params', flags: -1, client_owner_address: 'a' }), 'CCN_ERR_PROTOCOL_DECODE');
  });
});

describe('strings and bytes', () => {
  const roundTrip = (data: Buffer): Buffer => decodeBoxed(encodeBoxed({ _: 'tcp.packet', data })).data as Buffer;

  test('short and long length headers with zero padding', () => {
    assert.equal(encodeBoxed({ _: 'tcp.packet', data: Buffer.from([9, 9]) }).toString('hex'), 'f8ba179c' + '02090900');
    const long = Buffer.alloc(254, 7);
    const encoded = encodeBoxed({ _: 'tcp.packet', data: long });
    assert.equal(encoded.subarray(4, 8).toString('hex'), 'fefe0000');
    assert.equal(encoded.length, 4 + 4 + 256);
    for (const length of [0, 1, 3, 4, 253, 254, 255, 1000, 70_000]) assert.deepEqual(roundTrip(Buffer.alloc(length, 1)), Buffer.alloc(length, 1));
  });

  test('UTF-8 strings of every length class round trip', () => {
    for (const text of ['', 'a', 'héllo', '✓'.repeat(84), '✓'.repeat(85), 'x'.repeat(300), '😀 emoji']) {
      const decoded = decodeBoxed(encodeBoxed({ _: 'http.header', name: text, value: 'v' }));
      assert.equal(decoded.name, text);
    }
  });

  test('invalid UTF-8 in a string decodes to a Buffer and round trips exactly', () => {
    // A truncated 4-byte sequence: a lossy decode would turn it into one U+FFFD of the same length.
    const raw = Buffer.from('11e59b8e' + '03f09f98' + '0161' + '0000', 'hex');
    const decoded = decodeBoxed(raw);
    assert.ok(Buffer.isBuffer(decoded.name));
    assert.equal(decoded.value, 'a');
    assert.deepEqual(encodeBoxed(decoded), raw);
  });

  test('0xff length marker is rejected', () => {
    throwsCode(() => decodeBoxed(Buffer.from('f8ba179cff000000', 'hex')), 'CCN_ERR_PROTOCOL_DECODE');
  });
});

describe('errors', () => {
  test('unknown constructors', () => {
    throwsCode(() => decodeBoxed(Buffer.from('01020304', 'hex')), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
    throwsCode(() => decodeBoxed(Buffer.from('15c4b51c00000000', 'hex')), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
    throwsCode(() => encodeBoxed({ _: 'no.such' }), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
    throwsCode(() => encodeBoxed({ _: 'vector' }), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
    // authorizationWithProxySuccess whose boxed signed_payment is a tcp.ping: wrong type.
    const wrongBoxed = Buffer.concat([encodeBoxed({ _: 'client.authorizationWithProxySuccess', signed_payment: { _: 'proxy.signedPaymentEmpty' }, tokens_committed_to_db: 0n, max_tokens: 0n })]);
    wrongBoxed.writeUInt32LE(constructorId('tcp.ping'), 4);
    throwsCode(() => decodeBoxed(wrongBoxed), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
    throwsCode(() => encodeBoxed({ _: 'client.authorizationWithProxySuccess', signed_payment: { _: 'tcp.ping', id: 1n }, tokens_committed_to_db: 0n, max_tokens: 0n }), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
  });

  test('expectBoxed checks the constructor name before decoding', () => {
    const ping = encodeBoxed({ _: 'tcp.ping', id: 1n });
    assert.equal(expectBoxed(ping, 'tcp.ping').id, 1n);
    throwsCode(() => expectBoxed(ping, 'tcp.pong'), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
    throwsCode(() => expectBoxed(Buffer.alloc(2), 'tcp.pong'), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
  });

  test('bad field values on encode', () => {
    const decodeError = 'CCN_ERR_PROTOCOL_DECODE';
    throwsCode(() => encodeBoxed({ _: 'worker.newCoefficient', new_coefficient: 2 ** 31 }), decodeError);
    throwsCode(() => encodeBoxed({ _: 'worker.newCoefficient', new_coefficient: 1.5 }), decodeError);
    throwsCode(() => encodeBoxed({ _: 'worker.newCoefficient' }), decodeError);
    throwsCode(() => encodeBoxed({ _: 'tcp.ping', id: 2n ** 64n }), decodeError);
    throwsCode(() => encodeBoxed({ _: 'tcp.ping', id: 1.5 }), decodeError);
    throwsCode(() => encodeBoxed({ _: 'tcp.packet', data: 'text' }), decodeError);
    throwsCode(() => encodeBoxed({ _: 'client.proxyConnectionAuthShort', secret_hash: Buffer.alloc(31), nonce: 0n }), decodeError);
    throwsCode(() => encodeBoxed({ _: 'worker.proxyHandshakeComplete', is_disabled: 0 }), decodeError);
    throwsCode(() => encodeBoxed({ _: 'client.workerTypes', types: 'none' }), decodeError);
    throwsCode(() => encodeBoxed({ _: 'client.connectToProxy', params: { _: 'worker.params' }, min_config_version: 1 }), decodeError);
  });

  test('bad Bool and vector lengths on decode', () => {
    throwsCode(() => decodeBoxed(Buffer.from('66b043f801020304', 'hex')), 'CCN_ERR_PROTOCOL_DECODE');
    throwsCode(() => decodeBoxed(Buffer.from('010e4ef6ffffffff', 'hex')), 'CCN_ERR_PROTOCOL_DECODE');
    throwsCode(() => decodeBoxed(Buffer.from('010e4ef600000010', 'hex')), 'CCN_ERR_PROTOCOL_DECODE');
  });
});

describe('codec entry points for larger buffers', () => {
  test('writeBoxed and readBoxed walk several objects in one buffer', () => {
    const writer = new TlWriter();
    writeBoxed(writer, { _: 'tcp.ping', id: 1n });
    writeBoxed(writer, { _: 'http.header', name: 'a', value: 'b' });
    const bytes = writer.takeResult();
    const reader = new TlReader(bytes);
    assert.deepEqual(readBoxed(reader), { _: 'tcp.ping', id: 1n });
    assert.deepEqual(readBoxed(reader), { _: 'http.header', name: 'a', value: 'b' });
    assert.equal(reader.remaining, 0);
    throwsCode(() => readBoxed(new TlReader(Buffer.from('15c4b51c00000000', 'hex'))), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
  });

  test('encodeBoxedWithHeaderRoom leaves the room in front and the object after it', () => {
    const value = { _: 'tcp.pong', id: 9n };
    const framed = encodeBoxedWithHeaderRoom(value, 8);
    assert.deepEqual(framed.subarray(8), encodeBoxed(value));
    assert.deepEqual(encodeBoxedWithHeaderRoom(value, 0), encodeBoxed(value));
  });

  test('a failed encode leaves the shared scratch writer clean for the next one', () => {
    throwsCode(() => encodeBoxedWithHeaderRoom({ _: 'tcp.packet', data: 'not bytes' }, 8), 'CCN_ERR_PROTOCOL_DECODE');
    throwsCode(() => encodeBoxed({ _: 'http.header', name: 'x', value: 5 }), 'CCN_ERR_PROTOCOL_DECODE');
    assert.equal(encodeBoxed({ _: 'tcp.ping', id: 0n }).length, 12);
  });

  test('findCombinator gives the declaration, or undefined', () => {
    assert.deepEqual(findCombinator('tcp.ping')?.fields.map((field) => field.name), ['id']);
    assert.equal(findCombinator('tcp.ping')?.resultType, 'tcp.Packet');
    assert.equal(findCombinator('no.such'), undefined);
  });
});
