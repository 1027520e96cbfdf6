/** Unit tests of the TL schema parser: syntax, bare/boxed classification, flags, bad schemas. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTlSchema } from '../../src/tl/index.ts';

const parseError = (text: string): void => {
  assert.throws(() => parseTlSchema(text), (error: unknown) => (error as { code?: string }).code === 'CCN_ERR_INTERNAL');
};

describe('parseTlSchema', () => {
  test('parses fields, bare/boxed types, vectors, conditions and sections', () => {
    const schema = parseTlSchema(`
      // comment ; with a semicolon
      a.item#00000001 name:string = a.Item;
      a.list#0000000a flags:# items:(vector a.item) boxed:(Vector a.Item) maybe:flags.3?a.Item
        extra:flags.0?true = a.List;
      ---functions---
      a.get#ffffffff id:long = a.List;
    `);
    const [item, list, get] = schema.combinators;
    assert.deepEqual(item, { name: 'a.item', id: 1, fields: [{ name: 'name', type: { kind: 'builtin', name: 'string' }, condition: undefined }], resultType: 'a.Item', isFunction: false, isGeneric: false });
    assert.deepEqual(list?.fields.map((field) => [field.name, field.type, field.condition]), [
      ['flags', { kind: 'flags' }, undefined],
      ['items', { kind: 'vector', boxed: false, item: { kind: 'bare', constructorName: 'a.item' } }, undefined],
      ['boxed', { kind: 'vector', boxed: true, item: { kind: 'boxed', typeName: 'a.Item' } }, undefined],
      ['maybe', { kind: 'boxed', typeName: 'a.Item' }, { flagField: 'flags', bit: 3 }],
      ['extra', { kind: 'builtin', name: 'true' }, { flagField: 'flags', bit: 0 }],
    ]);
    assert.equal(get?.isFunction, true);
    assert.equal(get?.id, 0xffffffff);
  });

  test('generic built-ins keep only their ID', () => {
    const [vector] = parseTlSchema('vector#1cb5c415 {t:Type} # [ t ] = Vector t;').combinators;
    assert.deepEqual(vector, { name: 'vector', id: 0x1cb5c415, fields: [], resultType: 'Vector', isFunction: false, isGeneric: true });
  });

  test('rejects malformed schemas', () => {
    parseError('a.b x:int = A;');
    parseError('a.b#1 x:int = A');
    parseError('a.b#1 x:int;');
    parseError('a.b#1 x = A;');
    parseError('a.b#1 x:flags.0?int flags:# = A;');
    parseError('a.b#1 x:other.0?int = A;');
    parseError('a.b#1 = A; a.b#2 = A;');
    parseError('a.b#1 = A; a.c#1 = A;');
  });

  test('vector<x> spelling, ---types--- after functions, and IDs read as unsigned', () => {
    const schema = parseTlSchema('---functions--- a.f#80000000 = A; ---types--- a.c#1 v:vector<int> w:Vector<A> = A;');
    const [f, c] = schema.combinators;
    assert.equal(f?.isFunction, true);
    assert.equal(f?.id, 0x80000000);
    assert.equal(c?.isFunction, false);
    assert.deepEqual(c?.fields.map((field) => field.type), [
      { kind: 'vector', boxed: false, item: { kind: 'builtin', name: 'int' } },
      { kind: 'vector', boxed: true, item: { kind: 'boxed', typeName: 'A' } },
    ]);
  });

  test('rejects flag bits above 31, bad type names and text after the last ";"', () => {
    parseError('a.b#1 flags:# x:flags.32?int = A;');
    parseError('a.b#1 x:in-t = A;');
    parseError('a.b#1 = A; trailing');
    parseError('a.b#123456789 = A;');
    assert.equal(parseTlSchema('a.b#1 flags:# x:flags.31?int = A; // done; really').combinators[0]?.fields[1]?.condition?.bit, 31);
  });
});
