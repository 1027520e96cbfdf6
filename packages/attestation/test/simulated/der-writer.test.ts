// The minimal DER writer of the SGX PCK extension: exact encodings (minimal lengths, positive
// integers, base-128 OID arcs), read back by our strict DER reader, and refusal of bad values.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeObjectIdentifier, readDerChildren, readDerElement } from '../../src/certificate/der-reader.ts';
import { derEnumerated, derInteger, derObjectIdentifier, derOctetString, derSequence } from '../../src/simulated/der-writer.ts';

const hex = (buffer: Buffer): string => buffer.toString('hex');

describe('der-writer', () => {
  const integers: Array<[number, string]> = [
    [0, '020100'], [1, '020101'], [127, '02017f'], [128, '02020080'], [255, '020200ff'], [256, '02020100'],
    [65_535, '020300ffff'], [2 ** 31, '02050080000000'], [Number.MAX_SAFE_INTEGER, '02071fffffffffffff'],
  ];
  for (const [value, encoded] of integers) {
    test(`INTEGER ${value} is ${encoded} (a leading zero keeps it positive)`, () => {
      assert.equal(hex(derInteger(value)), encoded);
      assert.equal(hex(derEnumerated(value)), `0a${encoded.slice(2)}`);
    });
  }

  for (const value of [-1, 1.5, Number.NaN, 2 ** 53]) {
    test(`INTEGER ${value} is refused`, () => {
      assert.throws(() => derInteger(value), { name: 'RangeError', message: /non-negative safe integer/ });
      assert.throws(() => derEnumerated(value), RangeError);
    });
  }

  const oids: Array<[string, string]> = [
    ['1.2.840.113741.1.13.1', '06092a864886f84d010d01'],
    ['2.5.29.19', '0603551d13'],
    ['1.3.101.112', '06032b6570'],
    ['2.999', '06028837'],
  ];
  for (const [oid, encoded] of oids) {
    test(`OID ${oid} encodes as ${encoded} and reads back`, () => {
      assert.equal(hex(derObjectIdentifier(oid)), encoded);
      assert.equal(decodeObjectIdentifier(readDerElement(derObjectIdentifier(oid), 0)), oid);
    });
  }

  for (const oid of ['1', '', '1.x.3', '1.-2.3', '1.2.3.4.5.6.7.8.9.10.1.5e20']) {
    test(`OID "${oid}" is refused`, () => {
      assert.throws(() => derObjectIdentifier(oid), { name: 'RangeError', message: /invalid OID/ });
    });
  }

  test('lengths use the short form below 128 and the minimal long form above', () => {
    const lengths: Array<[number, string]> = [[0, '0400'], [127, '047f'], [128, '048180'], [255, '0481ff'], [256, '04820100'], [70_000, '0483011170']];
    for (const [length, header] of lengths) {
      const encoded = derOctetString(Buffer.alloc(length, 1));
      assert.equal(hex(encoded.subarray(0, header.length / 2)), header, `length ${length}`);
      assert.equal(readDerElement(encoded, 0).value.length, length);
    }
  });

  test('a nested sequence reads back child by child', () => {
    const encoded = derSequence([derObjectIdentifier('1.2.3'), derSequence([derInteger(7), derOctetString(Buffer.from('ab'))]), derEnumerated(0)]);
    const [oid, inner, enumerated] = readDerChildren(readDerElement(encoded, 0));
    assert.equal(decodeObjectIdentifier(oid!), '1.2.3');
    assert.deepEqual(readDerChildren(inner!).map((child) => hex(child.bytes)), ['020107', '04026162']);
    assert.equal(hex(enumerated!.bytes), '0a0100');
    assert.equal(hex(derSequence([])), '3000');
  });
});
