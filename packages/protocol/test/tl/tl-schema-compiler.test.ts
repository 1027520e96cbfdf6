/**
 * The schema compiler on a small schema of its own: flags computed from the present fields
 * (`true`-typed fields only when exactly true, bit 31 unsigned, several flags fields), bare
 * items with or without their name, boxed members of a type (never a function), vector lengths
 * checked against the data left, and references that do not resolve refused when compiling.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTlSchema, TlReader, TlWriter } from '../../src/tl/index.ts';
import type { TlObject } from '../../src/tl/index.ts';
import { compileTlSchema } from '../../src/tl/tl-schema-compiler.ts';

const registry = compileTlSchema(parseTlSchema(`
  boolFalse#bc799737 = Bool;
  boolTrue#997275b5 = Bool;
  vector#1cb5c415 {t:Type} # [ t ] = Vector t;
  t.point#00000001 x:int y:int = t.Shape;
  t.circle#00000002 r:double = t.Shape;
  t.opts#00000010 flags:# urgent:flags.0?true name:flags.1?string more:# extra:more.31?long = t.Opts;
  t.bag#00000020 points:(vector t.point) shapes:(Vector t.Shape) ok:Bool = t.Bag;
  ---functions---
  t.get#00000030 id:long = t.Shape;
`));

const entry = (name: string) => {
  const found = registry.byName.get(name);
  assert.ok(found, name);
  return found;
};
/** Loose values on purpose: bare items may omit `_`, and wrong values must reach the checks. */
const body = (name: string, value: Record<string, unknown>): Buffer => {
  const writer = new TlWriter();
  entry(name).writeBody(writer, value as TlObject);
  return writer.takeResult();
};
const read = (name: string, bytes: Buffer): TlObject => entry(name).readBody(new TlReader(bytes));
const codeOf = (code: string) => (error: unknown): boolean => (error as { code?: string }).code === code;

describe('flags', () => {
  test('computed per flags field; a true-typed field counts only when exactly true; bit 31 stays unsigned', () => {
    assert.equal(body('t.opts', { _: 't.opts', urgent: true, extra: 5n }).toString('hex'), '01000000' + '00000080' + '0500000000000000');
    assert.equal(body('t.opts', { _: 't.opts', urgent: false, name: 'n' }).toString('hex'), '02000000' + '016e0000' + '00000000');
    assert.deepEqual(read('t.opts', body('t.opts', { _: 't.opts', urgent: true, name: 'n', extra: -1n })), { _: 't.opts', flags: 3, urgent: true, name: 'n', more: 0x80000000, extra: -1n });
  });

  test('given flags rule: a true-typed bit needs no value, a cleared bit drops a present field', () => {
    assert.deepEqual(read('t.opts', body('t.opts', { _: 't.opts', flags: 1, more: 0 })), { _: 't.opts', flags: 1, urgent: true, more: 0 });
    assert.deepEqual(read('t.opts', body('t.opts', { _: 't.opts', flags: 0, name: 'dropped', more: 0 })), { _: 't.opts', flags: 0, more: 0 });
  });

  test('a set bit without its field names the bit and the flags field', () => {
    assert.throws(() => body('t.opts', { _: 't.opts', flags: 0, more: 0x80000000 }), (error: Error) =>
      codeOf('CCN_ERR_PROTOCOL_DECODE')(error) && error.message === 'cannot encode t.opts.extra: bit 31 of more is set but the field is missing');
  });
});

describe('bare and boxed fields', () => {
  const bag = { _: 't.bag', points: [{ x: 1, y: 2 }, { _: 't.point', x: -1, y: 0 }], shapes: [{ _: 't.circle', r: 0.5 }, { _: 't.point', x: 3, y: 4 }], ok: true };

  test('bare items are written without IDs, boxed ones with theirs, and read back named', () => {
    const bytes = body('t.bag', bag);
    assert.equal(bytes.toString('hex'), '02000000' + '0100000002000000' + 'ffffffff00000000'
      + '15c4b51c' + '02000000' + '02000000' + '000000000000e03f' + '01000000' + '0300000004000000' + 'b5757299');
    assert.deepEqual(read('t.bag', bytes), { ...bag, points: [{ _: 't.point', x: 1, y: 2 }, { _: 't.point', x: -1, y: 0 }] });
  });

  test('a bare item of another constructor is refused', () => {
    assert.throws(() => body('t.bag', { ...bag, points: [{ _: 't.circle', r: 1 }] }), (error: Error) => codeOf('CCN_ERR_PROTOCOL_DECODE')(error) && /t\.bag\.points\[\]: expected bare t\.point/.test(error.message));
  });

  test('a function is no member of its result type, in either direction', () => {
    assert.throws(() => body('t.bag', { ...bag, shapes: [{ _: 't.get', id: 1n }] }), (error: Error) => codeOf('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR')(error) && /t\.get is not a constructor of t\.Shape/.test(error.message));
    const bytes = Buffer.from('00000000' + '15c4b51c' + '01000000' + '30000000' + '0100000000000000' + 'b5757299', 'hex');
    assert.throws(() => read('t.bag', bytes), (error: Error) => codeOf('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR')(error) && /#00000030 \(expected t\.Shape\)/.test(error.message));
  });

  test('a vector may not claim more items than bytes remain, nor a negative count', () => {
    for (const count of ['05000000', 'ffffffff']) {
      assert.throws(() => read('t.bag', Buffer.from(count + '01000000', 'hex')), (error: Error) => codeOf('CCN_ERR_PROTOCOL_DECODE')(error) && /invalid vector length .* in t\.bag\.points/.test(error.message));
    }
    assert.throws(() => read('t.bag', Buffer.from('00000000' + '15c4b51d' + '00000000', 'hex')), codeOf('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR'), 'a boxed vector needs the vector ID');
  });

  test('the generic vector has no codec of its own', () => {
    assert.throws(() => entry('vector').readBody(new TlReader(Buffer.alloc(4))), codeOf('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR'));
    assert.equal(registry.byId.get(0x1cb5c415)?.combinator.isGeneric, true);
  });
});

describe('references that do not resolve', () => {
  const compile = (text: string) => () => compileTlSchema(parseTlSchema(text));
  test('are refused when the schema is compiled', () => {
    assert.throws(compile('a.x#1 p:a.missing = A;'), /a\.x\.p refers to unknown constructor a\.missing/);
    assert.throws(compile('a.x#1 p:a.Missing = A;'), /a\.x\.p refers to unknown type a\.Missing/);
    assert.throws(compile('a.x#1 p:(vector a.f) = A; ---functions--- a.f#2 = A;'), /a\.x\.p\[\] refers to unknown constructor a\.f/, 'a function is not a bare type');
    assert.throws(compile('a.x#1 p:(vector a.f) = A; ---functions--- a.f#2 = A;'), codeOf('CCN_ERR_INTERNAL'));
  });
});
