// Tests of crypto-only TDX quote verification (no collateral) against the pinned Intel root.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SIGNATURE_ONLY_TCB_STATUS, verifyQuoteSignatureOnly } from '../../src/index.ts';
import { OUTDATED_QUOTE, OUTDATED_TIME, REFERENCE_QUOTE, SAMPLE_QUOTE, SAMPLE_TIME, TD_REPORT_OFFSET, createForgingCa, isCode } from './dcap-fixtures.ts';

const NOW = new Date('2026-03-01T00:00:00Z');
const flipped = (quote: Buffer, offset: number): Buffer => {
  const copy = Buffer.from(quote);
  copy[offset]! ^= 0x01;
  return copy;
};

describe('verifyQuoteSignatureOnly', () => {
  test('the reference COCOON quote chains to the Intel SGX Root CA and its signatures hold', () => {
    const result = verifyQuoteSignatureOnly(REFERENCE_QUOTE, NOW);
    assert.equal(result.tcbStatus, SIGNATURE_ONLY_TCB_STATUS);
    assert.equal(result.tcbStatus, 'Unknown (no collateral)');
    assert.deepEqual(result.advisoryIds, []);
    assert.equal(result.fmspc, '90C06F000000');
    assert.ok(result.measurements.mrTd.toString('hex').startsWith('7357a10d2e2724df'));
    assert.ok(result.measurements.reportData.toString('hex').startsWith('d21efaa8'));
  });

  test('the sample (v4) and outdated (v5) quotes verify too', () => {
    assert.equal(verifyQuoteSignatureOnly(SAMPLE_QUOTE, SAMPLE_TIME).fmspc, 'B0C06F000000');
    assert.equal(verifyQuoteSignatureOnly(OUTDATED_QUOTE, OUTDATED_TIME).fmspc, '90C06F000000');
  });

  test('one altered byte of the TD report (MRTD) breaks the quote signature', () => {
    assert.throws(() => verifyQuoteSignatureOnly(flipped(REFERENCE_QUOTE, TD_REPORT_OFFSET + 136), NOW), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /quote signature does not verify/));
    assert.throws(() => verifyQuoteSignatureOnly(flipped(REFERENCE_QUOTE, 600), NOW), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /quote signature/)); // REPORTDATA
  });

  test('an altered QE report or attestation key is caught by the QE checks', () => {
    // auth data: u32 size @632, quote signature 64 @636, attestation key 64 @700, cert data header 6 @764, QE report 384 @770
    assert.throws(() => verifyQuoteSignatureOnly(flipped(REFERENCE_QUOTE, 700), NOW), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /does not bind the attestation key/));
    assert.throws(() => verifyQuoteSignatureOnly(flipped(REFERENCE_QUOTE, 780), NOW), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /QE report signature/));
  });

  test('another trust anchor, or a time outside the PCK certificate validity, rejects the chain', async () => {
    const { rootDer } = await createForgingCa();
    assert.throws(() => verifyQuoteSignatureOnly(REFERENCE_QUOTE, NOW, rootDer), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /does not lead to the trusted root/));
    // The outdated quote's PCK certificate was issued 2026-01-23.
    assert.throws(() => verifyQuoteSignatureOnly(OUTDATED_QUOTE, new Date('2026-01-01T00:00:00Z')), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /expired or not yet valid/));
  });

  test('an SGX quote and garbage are refused', () => {
    const sgx = Buffer.from(REFERENCE_QUOTE);
    sgx.writeUInt32LE(0, 4);
    assert.throws(() => verifyQuoteSignatureOnly(sgx, NOW), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /TDX quote .* is required/));
    assert.throws(() => verifyQuoteSignatureOnly(Buffer.alloc(5000, 7), NOW), isCode('CCN_ERR_ATTEST_QUOTE_INVALID'));
  });

  test('an attestation key type other than ECDSA P-256, or a quote without an embedded PCK chain, is refused', () => {
    const otherKey = Buffer.from(SAMPLE_QUOTE);
    otherKey.writeUInt16LE(3, 2);
    assert.throws(() => verifyQuoteSignatureOnly(otherKey, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /^unsupported attestation key type 3 \(expected 2, ECDSA P-256\)$/));
    const qeAuthSizeOffset = 48 + 584 + 4 + 64 + 64 + 6 + 384 + 64;
    const notEmbedded = Buffer.from(SAMPLE_QUOTE);
    notEmbedded.writeUInt16LE(3, qeAuthSizeOffset + 2 + SAMPLE_QUOTE.readUInt16LE(qeAuthSizeOffset));
    assert.throws(() => verifyQuoteSignatureOnly(notEmbedded, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /does not embed its PCK certificate chain \(certification data type 3, expected 5\)/));
  });
});
