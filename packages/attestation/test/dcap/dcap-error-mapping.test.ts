// mapDcapError: dcap-qvl's plain error messages become CocoonErrors with the right code (quote,
// collateral or TCB status) and a clear message; certificate-chain failures name the failing chain.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants as dcapConstants } from '@phala/dcap-qvl';
import { CocoonError } from '@cocoon/protocol';
import { mapDcapError, type DcapFailureContext } from '../../src/dcap/dcap-error-mapping.ts';
import { decodeTdxQuote, embeddedPckChain } from '../../src/dcap/tdx-quote-parser.ts';
import { SAMPLE_COLLATERAL, SAMPLE_QUOTE, SAMPLE_TIME, createForgingCa } from './dcap-fixtures.ts';

const Q = 'CCN_ERR_ATTEST_QUOTE_INVALID';
const C = 'CCN_ERR_ATTEST_COLLATERAL';
const T = 'CCN_ERR_ATTEST_TCB_STATUS';
const SAMPLE_CHAIN = embeddedPckChain(decodeTdxQuote(SAMPLE_QUOTE).quote);
const context = (overrides: Partial<DcapFailureContext> = {}): DcapFailureContext => ({
  collateral: SAMPLE_COLLATERAL,
  pckChain: SAMPLE_CHAIN,
  nowSecs: Math.floor(SAMPLE_TIME.getTime() / 1000),
  trustedRootDer: dcapConstants.TRUSTED_ROOT_CA_DER,
  ...overrides,
});

describe('mapDcapError message rules', () => {
  // [dcap-qvl message, code, expected message after "DCAP verification failed: "]
  const rules: Array<[string, string, RegExp]> = [
    ['Failed to decode quote', Q, /^malformed or unsupported quote: Failed to decode quote$/],
    ['Unsupported DCAP quote version', Q, /^malformed or unsupported quote/],
    ['Unsupported DCAP TEE type', Q, /^malformed or unsupported quote/],
    ['Unsupported DCAP attestation key type', Q, /^malformed or unsupported quote/],
    ['TDX TEE quote must have version 4 or 5', Q, /^malformed or unsupported quote/],
    ['Unsupported DCAP PCK cert format: 3. Use get_collateral() to fetch PCK certificates', Q, /^quote does not carry a usable PCK certificate chain: Unsupported DCAP PCK cert format: 3/],
    ['Failed to extract PCK certificates from quote', Q, /^quote does not carry a usable PCK certificate chain/],
    ['Certificate chain is too short in quote', Q, /^quote does not carry a usable PCK certificate chain/],
    ['Signature is invalid for qe_report in quote', Q, /^QE report signature does not verify with the PCK certificate key$/],
    ['QE report hash mismatch', Q, /^QE report data does not bind the attestation key$/],
    ['ISV enclave report signature is invalid', Q, /^quote signature does not verify with its attestation key \(header or TD report altered\)$/],
    ['QE MRSIGNER mismatch: expected AA, got BB', Q, /^quoting enclave does not match Intel's QE identity: QE MRSIGNER mismatch/],
    ['QE ISVPRODID mismatch: expected 2, got 3', Q, /^quoting enclave does not match/],
    ['QE MISCSELECT mismatch: expected 00000000, got 00000001', Q, /^quoting enclave does not match/],
    ['QE ATTRIBUTES mismatch at byte 0: expected 11, got 13', Q, /^quoting enclave does not match/],
    ['Debug mode is enabled', Q, /^TD or quoting enclave runs in debug mode$/],
    ['Reserved bits in TD attributes are set', Q, /^TD attributes not acceptable: Reserved bits/],
    ['SEPT_VE_DISABLE is not enabled', Q, /^TD attributes not acceptable: SEPT_VE_DISABLE/],
    ['Invalid mr service td', Q, /^TD attributes not acceptable/],
    ['TCBInfo expired', C, /^collateral expired: TCB info is past its nextUpdate$/],
    ['QE Identity expired', C, /^collateral expired: QE identity is past its nextUpdate$/],
    ['TCBInfo issue date is in the future', C, /^collateral not yet valid: TCBInfo issue date/],
    ['QE Identity issue date is in the future', C, /^collateral not yet valid: QE Identity/],
    ['Failed to decode TcbInfo', C, /^collateral malformed: Failed to decode TcbInfo$/],
    ['Failed to decode QeIdentity', C, /^collateral malformed/],
    ['Certificate chain is too short for TCB Info', C, /^collateral issuer chain too short/],
    ['Certificate chain is too short for QE Identity', C, /^collateral issuer chain too short/],
    ['Signature is invalid for tcb_info', C, /^TCB info signature is invalid/],
    ['Signature is invalid for qe_identity', C, /^QE identity signature is invalid/],
    ['Unsupported QE Identity id/version for the quote TEE type', C, /^collateral does not fit a TDX quote/],
    ['TDX quote with non-TDX TCB info in the collateral', C, /^collateral does not fit a TDX quote/],
    ['Fmspc mismatch', C, /^collateral TCB info is for another platform/],
    ['No matching TCB level found', T, /^platform TCB matches no TCB level of the collateral/],
    ['TCB status is invalid: Revoked', T, /^TCB status Revoked not allowed \(rejected by DCAP\)$/],
    ['QE ISVSVN 3 is below minimum required 4 from QE Identity', T, /^quoting enclave TCB too old: QE ISVSVN 3/],
  ];
  for (const [message, code, pattern] of rules) {
    test(`"${message}" → ${code}`, () => {
      const original = new Error(message);
      const mapped = mapDcapError(original, context());
      assert.equal(mapped.code, code);
      assert.match(mapped.message.replace(/^DCAP verification failed: /, ''), pattern);
      assert.ok(mapped.message.startsWith('DCAP verification failed: '));
      assert.equal(mapped.cause, original, 'the library error stays the cause');
    });
  }

  test('a CocoonError passes through unchanged', () => {
    const error = new CocoonError('CCN_ERR_ATTEST_TCB_STATUS', 'already mapped');
    assert.equal(mapDcapError(error, context()), error);
  });

  test('an unknown message, or a thrown non-Error, is an invalid quote with the detail kept', () => {
    const unknown = mapDcapError(new Error('Not enough data to fill buffer'), context());
    assert.deepEqual([unknown.code, unknown.message], [Q, 'DCAP verification failed: Not enough data to fill buffer']);
    const thrown = mapDcapError('boom', context());
    assert.deepEqual([thrown.code, thrown.message], [Q, 'DCAP verification failed: boom']);
  });
});

describe('mapDcapError chain diagnosis', () => {
  test('under a foreign trust anchor the TCB info issuer chain is named first, as a collateral error', async () => {
    const { rootDer } = await createForgingCa();
    const mapped = mapDcapError(new Error('Failed to verify certificate chain - intermediate signature invalid'), context({ trustedRootDer: rootDer }));
    assert.equal(mapped.code, C);
    assert.match(mapped.message, /^DCAP verification failed: TCB info issuer chain rejected under the trusted root CA: /);
  });

  test('a collateral PCK chain not from Intel is named as the PCK certificate chain, a quote error', async () => {
    const forger = await createForgingCa();
    const mapped = mapDcapError(new Error('Invalid certificate chain'), context({ collateral: { ...SAMPLE_COLLATERAL, pck_certificate_chain: forger.chainPem } }));
    assert.equal(mapped.code, Q);
    assert.match(mapped.message, /PCK certificate chain rejected under the trusted root CA/);
  });

  test('past the certificates\' validity the first chain checked reports the expiry', () => {
    const mapped = mapDcapError(new Error('Certificate is expired or not yet valid'), context({ nowSecs: Math.floor(Date.parse('2060-01-01T00:00:00Z') / 1000) }));
    assert.equal(mapped.code, C);
    assert.match(mapped.message, /TCB info issuer chain rejected under the trusted root CA: Certificate is expired or not yet valid/);
  });

  test('when every chain re-checks fine the original chain message is kept as an invalid quote', () => {
    for (const message of ['Certificate is revoked', 'CaUsedAsEndEntity', 'Failed to verify certificate chain - leaf signature invalid']) {
      const mapped = mapDcapError(new Error(message), context());
      assert.deepEqual([mapped.code, mapped.message], [Q, `DCAP verification failed: ${message}`]);
    }
    const withoutQuoteChain = mapDcapError(new Error('Certificate is revoked'), context({ pckChain: undefined }));
    assert.equal(withoutQuoteChain.code, Q, 'a missing PCK chain is skipped, not a crash');
  });
});
