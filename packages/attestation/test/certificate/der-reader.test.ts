// The strict DER walker under the RA-TLS certificate reader: definite lengths only, every bound
// checked, and malformed input refused with CCN_ERR_ATTEST_BAD_CERTIFICATE naming what is wrong.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import { DerTag, decodeObjectIdentifier, decodeTime, expectTag, readDerChildren, readDerElement, type DerElement } from '../../src/certificate/der-reader.ts';
import { derInteger, derObjectIdentifier, derOctetString, derSequence } from '../../src/simulated/der-writer.ts';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ''), 'hex');
const malformed = (pattern: RegExp) => (error: unknown): boolean =>
  error instanceof CocoonError && error.code === 'CCN_ERR_ATTEST_BAD_CERTIFICATE' && pattern.test(error.message) && error.message.startsWith('malformed certificate: ');
const element = (tag: number, value: Buffer): DerElement => readDerElement(Buffer.concat([Buffer.from([tag, value.length]), value]), 0);

describe('readDerElement', () => {
  test('short and long definite lengths give the element and its content', () => {
    const short = readDerElement(hex('04 03 aabbcc ff'), 0);
    assert.equal(short.tag, 0x04);
    assert.deepEqual(short.value, hex('aabbcc'));
    assert.deepEqual(short.bytes, hex('0403aabbcc'), 'bytes stop at the element end, not the buffer end');
    const content = Buffer.alloc(300, 7);
    const long = readDerElement(derOctetString(content), 0);
    assert.deepEqual(long.value, content);
    assert.equal(long.bytes.length, 4 + 300); // 04 82 01 2c
    const atOffset = readDerElement(hex('ffff 02 01 05'), 2);
    assert.deepEqual(atOffset.value, hex('05'));
  });

  const refusals: Array<[string, string, RegExp]> = [
    ['empty input', '', /truncated element header/],
    ['a lone tag byte', '30', /truncated element header/],
    ['a multi-byte (high) tag', '1f 01 00', /multi-byte tags/],
    ['the indefinite length 0x80', '30 80 0000', /unsupported length encoding/],
    ['a five-byte length', '04 85 0000000001 00', /unsupported length encoding/],
    ['long-form length bytes cut off', '04 82 01', /truncated length/],
    ['content shorter than its length', '04 05 aabb', /runs past its container/],
    ['a long length past the buffer', '04 81 ff 00', /runs past its container/],
  ];
  for (const [name, bytes, pattern] of refusals) {
    test(`refuses ${name}`, () => {
      assert.throws(() => readDerElement(hex(bytes), 0), malformed(pattern));
    });
  }

  test('an offset past the end is a truncated header, not a crash', () => {
    assert.throws(() => readDerElement(hex('0400'), 1), malformed(/truncated element header/));
  });
});

describe('readDerChildren and expectTag', () => {
  test('splits a sequence into its children in order; an empty sequence has none', () => {
    const sequence = readDerElement(derSequence([derInteger(1), derOctetString(hex('aa')), derSequence([])]), 0);
    const children = readDerChildren(sequence);
    assert.deepEqual(children.map((child) => child.tag), [DerTag.integer, DerTag.octetString, DerTag.sequence]);
    assert.deepEqual(readDerChildren(children[2]!), []);
  });

  test('a child running past its parent is refused even when the outer buffer is longer', () => {
    // SEQUENCE of length 3 holding an OCTET STRING that claims 5 bytes; the bytes after the sequence must not be borrowed.
    const parent = readDerElement(hex('30 03 04 05 aa  bbccddee'), 0);
    assert.throws(() => readDerChildren(parent), malformed(/runs past its container/));
  });

  test('expectTag returns the element or names what was expected', () => {
    const integer = element(DerTag.integer, hex('01'));
    assert.equal(expectTag(integer, DerTag.integer, 'serial number'), integer);
    assert.throws(() => expectTag(integer, DerTag.sequence, 'issuer'), malformed(/expected issuer$/));
    assert.throws(() => expectTag(undefined, DerTag.sequence, 'validity'), malformed(/expected validity$/));
  });
});

describe('decodeObjectIdentifier', () => {
  const round: string[] = [
    '1.3.101.112', // Ed25519
    '2.5.29.19',
    '1.2.840.113549.1.9.1',
    '1.2.840.113741.1.13.1', // Intel SGX extension
    '1.3.6.1.4.1.12345.1',
    '2.999.3', // first byte above 80: joint-iso-itu-t arc with a large second arc
    '0.39',
    '1.2.4294967296', // an arc above 32 bits
  ];
  for (const oid of round) {
    test(`decodes ${oid} as encoded by the DER writer`, () => {
      assert.equal(decodeObjectIdentifier(readDerElement(derObjectIdentifier(oid), 0)), oid);
    });
  }

  test('refuses an empty, truncated, overlong or mistagged identifier', () => {
    assert.throws(() => decodeObjectIdentifier(element(DerTag.objectIdentifier, Buffer.alloc(0))), malformed(/empty object identifier/));
    assert.throws(() => decodeObjectIdentifier(element(DerTag.objectIdentifier, hex('2b 86'))), malformed(/truncated object identifier/));
    assert.throws(() => decodeObjectIdentifier(element(DerTag.objectIdentifier, hex('2b ffffffffffffffff7f'))), malformed(/arc too large/));
    assert.throws(() => decodeObjectIdentifier(element(DerTag.octetString, hex('2b06'))), malformed(/expected object identifier/));
  });
});

describe('decodeTime', () => {
  const times: Array<[string, number, string, string]> = [
    ['UTCTime in the 2000s', DerTag.utcTime, '260101000000Z', '2026-01-01T00:00:00.000Z'],
    ['UTCTime 49 is 2049', DerTag.utcTime, '491231235959Z', '2049-12-31T23:59:59.000Z'],
    ['UTCTime 50 is 1950', DerTag.utcTime, '500101000000Z', '1950-01-01T00:00:00.000Z'],
    ['GeneralizedTime', DerTag.generalizedTime, '20500615123456Z', '2050-06-15T12:34:56.000Z'],
    ['GeneralizedTime of year 9999 (no expiry)', DerTag.generalizedTime, '99991231235959Z', '9999-12-31T23:59:59.000Z'],
  ];
  for (const [name, tag, text, iso] of times) {
    test(`reads ${name}`, () => {
      assert.equal(decodeTime(element(tag, Buffer.from(text, 'latin1'))).toISOString(), iso);
    });
  }

  const badTimes: Array<[string, number, string]> = [
    ['a UTCTime without Z', DerTag.utcTime, '260101000000'],
    ['a UTCTime with an offset', DerTag.utcTime, '260101000000+0100'],
    ['a UTCTime with fractional seconds', DerTag.utcTime, '260101000000.5Z'],
    ['a four-digit year in a UTCTime', DerTag.utcTime, '20260101000000Z'],
    ['a two-digit year in a GeneralizedTime', DerTag.generalizedTime, '260101000000Z'],
    ['letters in the digits', DerTag.utcTime, '26O101000000Z'],
  ];
  for (const [name, tag, text] of badTimes) {
    test(`refuses ${name}`, () => {
      assert.throws(() => decodeTime(element(tag, Buffer.from(text, 'latin1'))), malformed(/bad time/));
    });
  }

  test('refuses a missing element or another tag', () => {
    assert.throws(() => decodeTime(undefined), malformed(/expected a time/));
    assert.throws(() => decodeTime(element(DerTag.octetString, Buffer.from('260101000000Z'))), malformed(/expected a time/));
  });
});
