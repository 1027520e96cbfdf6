/**
 * Byte checks of the 9060ce5 wire fields (§3.3, reference TL rules): `worker.params` with
 * `machine_description_json` (flags bit 2), `client.runQueryEx` with `public_key` and `proxy.runQueryEx`
 * with `private_key` (flags bit 1), and `worker.changeModel` / `worker.changedModel`, encoded and
 * compared with byte strings built by hand (little-endian ids and ints, bare strings padded to 4,
 * boxed Bool, raw int256), then decoded back; without the flag bit the field is absent on the wire.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBoxed, encodeBoxed } from '../../src/index.ts';
import type { TlObject } from '../../src/index.ts';

const hex = (...parts: string[]): string => parts.join('').replace(/\s+/g, '');
const BOOL_TRUE = 'b5757299';
const BOOL_FALSE = '379779bc';
const REQUEST_ID = Buffer.alloc(32, 0x11);
const KEY = Buffer.alloc(32, 0x22);
const TEN_SECONDS = '0000000000002440'; // double 10.0

function check(value: TlObject, expectedHex: string): void {
  assert.equal(encodeBoxed(value).toString('hex'), expectedHex, value._);
  const decoded = decodeBoxed(Buffer.from(expectedHex, 'hex'));
  for (const [name, field] of Object.entries(value)) assert.deepEqual(decoded[name], field, `${value._}.${name}`);
}

test('worker.params: flags 7 carries machine_description_json after max_proto_version', () => {
  const base = {
    _: 'worker.params', worker_owner_address: 'ab', model: 'm', coefficient: 1000, is_test: true, proxy_cnt: 1, max_active_requests: 8,
    min_proto_version: 4, max_proto_version: 4,
  };
  const fields = hex('02616200', '016d0000', 'e8030000', BOOL_TRUE, '01000000', '08000000', '04000000', '04000000');
  check({ ...base, flags: 7, machine_description_json: '{}' }, hex('ed739c86', '07000000', fields, '027b7d00'));
  check({ ...base, flags: 3, min_proto_version: 3 }, hex('ed739c86', '03000000', fields.replace('0400000004000000', '0300000004000000')));
  const ignored = encodeBoxed({ ...base, flags: 3, min_proto_version: 3, machine_description_json: '{}' } as TlObject);
  assert.equal(ignored.length, 4 + 4 + fields.length / 2, 'without bit 2 the description is not written');
});

test('client.runQueryEx: flags 1 | (proto >= 3 ? 2 : 0) adds public_key after enable_debug', () => {
  const head = hex('4bb74cf5', '016d0000', '01710000', 'a00f0000', '64000000', TEN_SECONDS, REQUEST_ID.toString('hex'), '00000000');
  const base = { _: 'client.runQueryEx', model_name: 'm', query: Buffer.from('q'), max_coefficient: 4000, max_tokens: 100, timeout: 10, request_id: REQUEST_ID, min_config_version: 0, enable_debug: false };
  check({ ...base, flags: 3, public_key: KEY }, hex(head, '03000000', BOOL_FALSE, KEY.toString('hex')));
  check({ ...base, flags: 1 }, hex(head, '01000000', BOOL_FALSE));
});

test('proxy.runQueryEx: flags 1 | (worker proto >= 3 ? 2 : 0) adds private_key after enable_debug', () => {
  const privateKey = Buffer.alloc(32, 0x33);
  const head = hex('e2e705c8', '01710000', '64ce47b3', 'e803000000000000', TEN_SECONDS, REQUEST_ID.toString('hex'));
  const base = { _: 'proxy.runQueryEx', query: Buffer.from('q'), signed_payment: { _: 'proxy.signedPaymentEmpty' }, coefficient: 1000n, timeout: 10, request_id: REQUEST_ID, enable_debug: true };
  check({ ...base, flags: 3, private_key: privateKey }, hex(head, '03000000', BOOL_TRUE, privateKey.toString('hex')));
  check({ ...base, flags: 1 }, hex(head, '01000000', BOOL_TRUE));
});

test('worker.changeModel / worker.changedModel', () => {
  check({ _: 'worker.changeModel', new_model: 'm@r' }, hex('ee2c6672', '036d4072'));
  check({ _: 'worker.changedModel' }, '66930234');
});
