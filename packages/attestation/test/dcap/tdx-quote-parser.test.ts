// Tests of TDX quote parsing on real quotes (v4 reference and sample, v5 outdated) and malformed input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTdxQuote } from '../../src/index.ts';
import { OUTDATED_QUOTE, REFERENCE_QUOTE, SAMPLE_QUOTE, TD_REPORT_OFFSET, isCode } from './dcap-fixtures.ts';

describe('parseTdxQuote', () => {
  test('parses the reference COCOON quote (v4, TD 1.0) with its measurements and FMSPC', () => {
    const parsed = parseTdxQuote(REFERENCE_QUOTE);
    assert.equal(parsed.version, 4);
    assert.equal(parsed.teeType, 'tdx');
    assert.equal(parsed.reportType, 'td10');
    assert.ok(parsed.measurements.mrTd.toString('hex').startsWith('7357a10d2e2724df'));
    assert.ok(parsed.measurements.mrTd.toString('hex').endsWith('837e1114'));
    assert.ok(parsed.measurements.rtmr0.toString('hex').startsWith('251a7f3c'));
    assert.deepEqual(parsed.measurements.rtmr3, Buffer.alloc(48));
    assert.equal(parsed.measurements.reportData.length, 64);
    assert.ok(parsed.measurements.reportData.toString('hex').startsWith('d21efaa8'));
    assert.equal(parsed.tdAttributes.toString('hex'), '0000001000000000');
    assert.equal(parsed.fmspc, '90C06F000000');
    assert.equal(parsed.pckCaType, 'platform');
    assert.equal(parsed.certificationDataType, 5);
    assert.equal(parsed.signedLength, 48 + 584);
  });

  test('registers sit at the §7.1 absolute offsets', () => {
    const parsed = parseTdxQuote(SAMPLE_QUOTE);
    assert.deepEqual(parsed.measurements.mrTd, SAMPLE_QUOTE.subarray(184, 232));
    assert.deepEqual(parsed.measurements.rtmr3, SAMPLE_QUOTE.subarray(520, 568));
    assert.deepEqual(parsed.measurements.reportData, SAMPLE_QUOTE.subarray(568, 632));
    assert.equal(parsed.fmspc, 'B0C06F000000');
  });

  test('parses a v5 quote with a TD 1.5 report', () => {
    const parsed = parseTdxQuote(OUTDATED_QUOTE);
    assert.equal(parsed.version, 5);
    assert.equal(parsed.reportType, 'td15');
    assert.deepEqual(parsed.measurements.mrTd, OUTDATED_QUOTE.subarray(184 + 6, 232 + 6)); // 6-byte v5 body descriptor
    assert.equal(parsed.signedLength, 48 + 6 + 648);
  });

  test('an SGX quote (TEE type 0) is refused: a TDX quote is required', () => {
    const sgx = Buffer.from(SAMPLE_QUOTE);
    sgx.writeUInt32LE(0, 4);
    assert.throws(() => parseTdxQuote(sgx), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /SGX quote .* TDX quote .* is required/));
    const sgxV5 = Buffer.from(OUTDATED_QUOTE);
    sgxV5.writeUInt16LE(1, TD_REPORT_OFFSET); // v5 body type 1 = SGX enclave report
    assert.throws(() => parseTdxQuote(sgxV5), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /TDX quote .* is required/));
  });

  test('garbage, truncated and unsupported quotes are refused', () => {
    assert.throws(() => parseTdxQuote(Buffer.alloc(0)), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /too short/));
    assert.throws(() => parseTdxQuote(Buffer.from('not a quote, just some text that is long enough for a header')), isCode('CCN_ERR_ATTEST_QUOTE_INVALID'));
    assert.throws(() => parseTdxQuote(SAMPLE_QUOTE.subarray(0, 1000)), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /malformed TDX quote/));
    const version3 = Buffer.from(SAMPLE_QUOTE);
    version3.writeUInt16LE(3, 0);
    assert.throws(() => parseTdxQuote(version3), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /version 3/));
    const randomTee = Buffer.from(SAMPLE_QUOTE);
    randomTee.writeUInt32LE(0x42, 4);
    assert.throws(() => parseTdxQuote(randomTee), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /unknown TEE type 0x42/));
  });
});

/** Offset of the inner certification data type (5 = PEM PCK chain) in the sample quote: auth data, QE report, signature, QE auth data. */
const innerCertificationTypeOffset = (quote: Buffer): number => {
  const qeAuthSizeOffset = 48 + 584 + 4 + 64 + 64 + 6 + 384 + 64;
  return qeAuthSizeOffset + 2 + quote.readUInt16LE(qeAuthSizeOffset);
};
const AUTH_DATA_SIZE_OFFSET = 48 + 584;

describe('parseTdxQuote on truncated and forged input', () => {
  const signedEnd = AUTH_DATA_SIZE_OFFSET;
  const authEnd = signedEnd + 4 + SAMPLE_QUOTE.readUInt32LE(signedEnd);
  const cuts: Array<[string, number]> = [
    ['the header only', 48],
    ['inside the TD report', 300],
    ['the signed part only', signedEnd],
    ['the auth data size only', signedEnd + 4],
    ['inside the quote signature', signedEnd + 40],
    ['inside the QE report', 900],
    ['inside the PEM PCK chain', 2000],
    ['one byte short of the auth data', authEnd - 1],
  ];
  for (const [where, length] of cuts) {
    test(`a quote cut after ${where} (${length} bytes) is refused as malformed`, () => {
      assert.throws(() => parseTdxQuote(SAMPLE_QUOTE.subarray(0, length)), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /^malformed TDX quote: /));
    });
  }

  test('bytes after the declared auth data are ignored and do not change the signed length', () => {
    assert.ok(SAMPLE_QUOTE.length > authEnd, 'the recorded quote carries padding after its auth data');
    const padded = parseTdxQuote(Buffer.concat([SAMPLE_QUOTE, Buffer.alloc(64, 0xee)]));
    assert.equal(padded.signedLength, parseTdxQuote(SAMPLE_QUOTE).signedLength);
    assert.equal(parseTdxQuote(SAMPLE_QUOTE.subarray(0, authEnd)).fmspc, 'B0C06F000000');
  });

  test('an auth data size larger than the quote is refused', () => {
    const oversized = Buffer.from(SAMPLE_QUOTE);
    oversized.writeUInt32LE(oversized.length, AUTH_DATA_SIZE_OFFSET);
    assert.throws(() => parseTdxQuote(oversized), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /malformed TDX quote/));
  });

  test('a version 5 header on a version 4 body is refused', () => {
    const relabelled = Buffer.from(SAMPLE_QUOTE);
    relabelled.writeUInt16LE(5, 0);
    assert.throws(() => parseTdxQuote(relabelled), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /malformed TDX quote/));
  });

  test('a quote whose PCK chain is not embedded parses without a platform', () => {
    const offset = innerCertificationTypeOffset(SAMPLE_QUOTE);
    assert.equal(SAMPLE_QUOTE.readUInt16LE(offset), 5);
    const notEmbedded = Buffer.from(SAMPLE_QUOTE);
    notEmbedded.writeUInt16LE(3, offset); // type 3: encrypted PPID, the platform must be looked up elsewhere
    const parsed = parseTdxQuote(notEmbedded);
    assert.equal(parsed.certificationDataType, 3);
    assert.equal(parsed.fmspc, undefined);
    assert.equal(parsed.pckCaType, undefined);
  });

  test('garbage inside the embedded PEM chain is refused as a malformed PCK chain', () => {
    const start = SAMPLE_QUOTE.indexOf('-----BEGIN CERTIFICATE-----');
    const garbled = Buffer.from(SAMPLE_QUOTE);
    garbled.fill('A', start + 40, start + 600);
    assert.throws(() => parseTdxQuote(garbled), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /^malformed PCK certificate chain in the quote: /));
  });
});
