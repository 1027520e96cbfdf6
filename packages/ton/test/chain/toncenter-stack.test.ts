/**
 * toncenter v2 TVM stack encodings: get-method arguments as TonClient sends them (numbers in
 * decimal or hex, negative too; cells, slices and builders as base64 or {bytes}; null) and their
 * refusal with CCN_ERR_HTTP_BAD_REQUEST; results as toncenter renders them; and the repair of
 * the raw values TonClient leaves inside tuples.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beginCell, Cell, type TupleItem } from '@ton/core';
import { isCocoonError } from '@cocoon/protocol';
import { decodeToncenterStackArgument, encodeToncenterStackItem, repairTonClientStackItem } from '../../src/chain/toncenter-stack.ts';

const cell = beginCell().storeUint(0b1011, 4).storeRef(beginCell().storeUint(7, 8)).endCell();
const boc = cell.toBoc().toString('base64');

describe('toncenter stack', () => {
  const numbers: Array<[unknown, bigint]> = [
    ['123', 123n], ['0', 0n], ['-45', -45n], ['0x1f', 31n], ['-0x1F', -31n], [42, 42n], [-7, -7n],
    ['115792089237316195423570985008687907853269984665640564039457584007913129639935', 2n ** 256n - 1n],
  ];
  for (const [value, expected] of numbers) {
    test(`the number argument ${JSON.stringify(value)} reads as ${expected}`, () => {
      for (const kind of ['num', 'int']) assert.deepEqual(decodeToncenterStackArgument([kind, value]), { type: 'int', value: expected });
    });
  }

  test('cells, slices and builders read from base64 or {bytes}; null reads as null', () => {
    for (const [kinds, type] of [[['tvm.Cell', 'cell'], 'cell'], [['tvm.Slice', 'slice'], 'slice'], [['tvm.Builder', 'builder'], 'builder']] as const) {
      for (const kind of kinds) {
        for (const value of [boc, { bytes: boc }]) {
          const item = decodeToncenterStackArgument([kind, value]);
          assert.equal(item.type, type);
          assert.ok('cell' in item && item.cell.equals(cell));
        }
      }
    }
    assert.deepEqual(decodeToncenterStackArgument(['null', null]), { type: 'null' });
  });

  const refused: Array<[string, unknown, RegExp]> = [
    ['not an array', { num: 1 }, /must be \[type, value\]/],
    ['a type that is not a string', [1, 2], /must be \[type, value\]/],
    ['an unknown type', ['tvm.Tuple', []], /unsupported stack entry type 'tvm.Tuple'/],
    ['a decimal with letters', ['num', '12a'], /bad number/],
    ['a float', ['num', 1.5], /bad number/],
    ['an unsafe integer', ['num', 2 ** 60], /bad number/],
    ['an empty number', ['num', ''], /bad number/],
    ['0x alone', ['num', '0x'], /bad number/],
    ['a cell without bytes', ['tvm.Cell', {}], /needs base64 BOC bytes/],
    ['a cell that is not a BOC', ['tvm.Cell', 'AAAA'], /bad cell BOC/],
    ['an empty BOC string', ['cell', ''], /bad cell BOC/],
  ];
  for (const [name, entry, pattern] of refused) {
    test(`an argument that is ${name} is CCN_ERR_HTTP_BAD_REQUEST`, () => {
      assert.throws(() => decodeToncenterStackArgument(entry), (error: unknown) =>
        isCocoonError(error) && error.code === 'CCN_ERR_HTTP_BAD_REQUEST' && error.param === 'stack' && pattern.test(error.message));
    });
  }

  test('results render as toncenter does: hex numbers, cells with their bit view, nested tuple entries', () => {
    assert.deepEqual(encodeToncenterStackItem({ type: 'int', value: 255n }), ['num', '0xff']);
    assert.deepEqual(encodeToncenterStackItem({ type: 'int', value: -255n }), ['num', '-0xff']);
    assert.deepEqual(encodeToncenterStackItem({ type: 'int', value: 0n }), ['num', '0x0']);
    assert.deepEqual(encodeToncenterStackItem({ type: 'nan' }), ['num', 'NaN']);
    assert.deepEqual(encodeToncenterStackItem({ type: 'null' }), ['null', null]);
    const [kind, value] = encodeToncenterStackItem({ type: 'cell', cell }) as [string, { bytes: string; object: Record<string, unknown> }];
    assert.equal(kind, 'cell');
    assert.ok(Cell.fromBase64(value.bytes).equals(cell));
    assert.deepEqual(value.object, {
      data: { b64: Buffer.from([0b1011_0000]).toString('base64'), len: 4 },
      refs: [{ data: { b64: Buffer.from([7]).toString('base64'), len: 8 }, refs: [], special: false }],
      special: false,
    });
    assert.equal(encodeToncenterStackItem({ type: 'slice', cell })[0], 'slice');
    assert.equal(encodeToncenterStackItem({ type: 'builder', cell })[0], 'builder');
    const [, tuple] = encodeToncenterStackItem({ type: 'tuple', items: [{ type: 'int', value: -3n }, { type: 'null' }, { type: 'slice', cell }, { type: 'tuple', items: [] }] }) as [string, { elements: Array<Record<string, unknown>> }];
    assert.deepEqual(tuple.elements.map((element) => element['@type']), ['tvm.stackEntryNumber', 'tvm.stackEntryList', 'tvm.stackEntrySlice', 'tvm.stackEntryTuple']);
    assert.deepEqual(tuple.elements[0], { '@type': 'tvm.stackEntryNumber', number: { '@type': 'tvm.numberDecimal', number: '-3' } });
  });

  test('tuple values TonClient leaves raw are repaired into TupleItems; an empty list is null', () => {
    const repaired = repairTonClientStackItem([5n, cell, [], [[1n]], { type: 'slice', cell }, { type: 'tuple', items: [[2n]] }]);
    const expected: TupleItem = {
      type: 'tuple',
      items: [
        { type: 'int', value: 5n }, { type: 'cell', cell }, { type: 'null' },
        { type: 'tuple', items: [{ type: 'tuple', items: [{ type: 'int', value: 1n }] }] },
        { type: 'slice', cell },
        { type: 'tuple', items: [{ type: 'tuple', items: [{ type: 'int', value: 2n }] }] },
      ],
    };
    assert.deepEqual(repaired, expected);
    for (const unreadable of [null, 'text', 5, undefined, { value: 1 }]) {
      assert.throws(() => repairTonClientStackItem(unreadable), (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_TON_UNAVAILABLE');
    }
  });
});

