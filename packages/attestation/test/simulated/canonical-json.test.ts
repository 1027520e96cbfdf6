// canonicalJson: the static config hashed into RTMR3 serialises identically whatever the key
// order, and values JSON cannot carry faithfully are refused instead of silently changed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '../../src/index.ts';

describe('canonicalJson', () => {
  const encoded: Array<[string, unknown, string]> = [
    ['null and booleans', [null, true, false], '[null,true,false]'],
    ['strings with escapes', 'a"b\\c\n', '"a\\"b\\\\c\\n"'],
    ['numbers as JSON writes them', [0, -1.5, 1e21, 10], '[0,-1.5,1e+21,10]'],
    ['a bigint as its digits', 12345678901234567890n, '12345678901234567890'],
    ['keys sorted at every depth', { b: 1, a: { d: [2, { z: 1, y: 2 }], c: 3 } }, '{"a":{"c":3,"d":[2,{"y":2,"z":1}]},"b":1}'],
    ['keys sorted by code unit, not locale', { b: 1, B: 2, a: 3, _: 4 }, '{"B":2,"_":4,"a":3,"b":1}'],
    ['undefined members dropped', { a: undefined, b: 1 }, '{"b":1}'],
    ['empty containers', { list: [], map: {} }, '{"list":[],"map":{}}'],
  ];
  for (const [what, value, expected] of encoded) {
    test(`encodes ${what}`, () => assert.equal(canonicalJson(value), expected));
  }

  test('key order does not change the output', () => {
    assert.equal(canonicalJson({ model: 'm', port: 1, nested: { x: 1, y: 2 } }), canonicalJson({ nested: { y: 2, x: 1 }, port: 1, model: 'm' }));
  });

  const refused: Array<[string, unknown, RegExp]> = [
    ['NaN', { price: Number.NaN }, /non-finite number/],
    ['Infinity', [Number.POSITIVE_INFINITY], /non-finite number/],
    ['a function', { run: () => 1 }, /cannot encode a function/],
    ['a symbol', Symbol('s'), /cannot encode a symbol/],
    ['undefined at the top', undefined, /cannot encode a undefined/],
    ['undefined inside an array', [1, undefined], /cannot encode a undefined/],
  ];
  for (const [what, value, pattern] of refused) {
    test(`refuses ${what}`, () => assert.throws(() => canonicalJson(value), { name: 'TypeError', message: pattern }));
  }
});
