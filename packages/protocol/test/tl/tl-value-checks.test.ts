/**
 * The encode-side checks of JS values against TL field types: the exact ranges each accepts, and
 * the error a caller gets otherwise (CCN_ERR_PROTOCOL_DECODE naming the field path as `param` and
 * describing what it got, never dumping the value of a Buffer or string).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkArray, checkBoolean, checkBytes, checkDouble, checkFixedBytes, checkInt32, checkInt64, checkObject, checkUint32,
} from '../../src/tl/tl-value-checks.ts';

type Check = (value: unknown, path: string) => unknown;

/** Asserts the refusal of `value` and returns its message. */
const refusal = (check: Check, value: unknown): string => {
  try {
    check(value, 'tcp.ping.id');
  } catch (error) {
    const { code, param, message } = error as { code?: string; param?: string; message: string };
    assert.equal(code, 'CCN_ERR_PROTOCOL_DECODE');
    assert.equal(param, 'tcp.ping.id');
    return message;
  }
  assert.fail(`${String(value)} should be refused`);
};

const fixed32: Check = (value, path) => checkFixedBytes(value, 32, path);
const table: Array<[string, Check, unknown[], unknown[]]> = [
  ['int', checkInt32, [0, -(2 ** 31), 2 ** 31 - 1], [2 ** 31, -(2 ** 31) - 1, 1.5, 1n, '1', Number.NaN]],
  ['flags', checkUint32, [0, 2 ** 32 - 1], [-1, 2 ** 32, 0.5, 1n]],
  ['long', checkInt64, [-(2n ** 63n), 2n ** 64n - 1n, 0, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER], [2n ** 64n, -(2n ** 63n) - 1n, Number.MAX_SAFE_INTEGER + 1, 0.5, '5']],
  ['double', checkDouble, [0, -1.5, Number.POSITIVE_INFINITY, Number.NaN], [1n, '1', null]],
  ['int256', fixed32, [Buffer.alloc(32), new Uint8Array(32)], [Buffer.alloc(31), Buffer.alloc(33), 'x'.repeat(32), Array.from({ length: 32 }, () => 0)]],
  ['bytes', checkBytes, [Buffer.alloc(0), new Uint8Array(3)], ['text', [1, 2], null]],
  ['Bool', checkBoolean, [true, false], [0, 1, 'true', null, undefined]],
  ['vector', checkArray, [[], [1]], [{}, Buffer.alloc(1), 'abc', undefined]],
  ['object', checkObject, [{ _: 'tcp.ping' }, {}], [null, [], Buffer.alloc(1), new Uint8Array(1), 'tcp.ping', 5]],
];

describe('accepted and refused values', () => {
  for (const [type, check, good, bad] of table) {
    test(type, () => {
      for (const value of good) assert.doesNotThrow(() => check(value, 'field'), `${type} should accept ${String(value)}`);
      for (const value of bad) refusal(check, value);
    });
  }

  test('long returns a bigint also for numbers; the others return the value itself', () => {
    assert.equal(checkInt64(42, 'f'), 42n);
    const bytes = Buffer.alloc(32);
    assert.equal(checkFixedBytes(bytes, 32, 'f'), bytes);
  });
});

describe('messages', () => {
  test('say what was expected and describe what came, without its contents', () => {
    const cases: Array<[Check, unknown, string]> = [
      [checkInt32, undefined, 'cannot encode tcp.ping.id: expected int (signed 32-bit integer), got nothing'],
      [checkInt64, 1.5, 'cannot encode tcp.ping.id: expected long (64-bit bigint), got number 1.5'],
      [checkInt32, 5n, 'cannot encode tcp.ping.id: expected int (signed 32-bit integer), got bigint 5'],
      [fixed32, Buffer.from('secret!'), 'cannot encode tcp.ping.id: expected 256-bit value (Buffer of 32 bytes), got Buffer(7)'],
      [checkBytes, 'secret text', 'cannot encode tcp.ping.id: expected bytes (Buffer), got string'],
      [checkObject, null, 'cannot encode tcp.ping.id: expected TL object, got null'],
      [checkArray, { length: 1 }, 'cannot encode tcp.ping.id: expected vector (array), got object'],
      [checkBoolean, [true], 'cannot encode tcp.ping.id: expected Bool (boolean), got array'],
    ];
    for (const [check, value, message] of cases) assert.equal(refusal(check, value), message);
  });
});
