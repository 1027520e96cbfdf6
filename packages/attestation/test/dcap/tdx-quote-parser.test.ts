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
