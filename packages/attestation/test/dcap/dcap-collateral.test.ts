// DCAP collateral: shape validation naming the bad field, the usable window (latest issue date,
// earliest nextUpdate over TCB info, QE identity and both CRLs), the PCK CA type of the CRL chain, the
// JSON form served to browsers (serializeDcapCollateral) and the certificate windows checked after DCAP.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { DcapQuoteVerifier, StaticCollateralSource, parseDcapCollateral, readCollateralValidity, serializeDcapCollateral, type DcapCollateral } from '../../src/index.ts';
import { checkDcapCertificateWindows } from '../../src/dcap/dcap-certificate-windows.ts';
import { decodeTdxQuote, embeddedPckChain } from '../../src/dcap/tdx-quote-parser.ts';
import { collateralBytes, collateralPckCaType } from '../../src/dcap/dcap-collateral.ts';
import { certificatePem, generateDevKeyPair, issueDevCertificate } from '../../src/simulated/dev-certificate-issuer.ts';
import { derInteger, derObjectIdentifier, derSequence } from '../../src/simulated/der-writer.ts';
import { OUTDATED_COLLATERAL, REFERENCE_QUOTE, SAMPLE_COLLATERAL, SAMPLE_EXPIRY, SAMPLE_QUOTE, SAMPLE_TIME, isCode } from './dcap-fixtures.ts';

const STRING_FIELDS = ['pck_crl_issuer_chain', 'tcb_info_issuer_chain', 'tcb_info', 'qe_identity_issuer_chain', 'qe_identity'] as const;
const BYTE_FIELDS = ['root_ca_crl', 'pck_crl', 'tcb_info_signature', 'qe_identity_signature'] as const;
const sample = (): DcapCollateral => structuredClone(SAMPLE_COLLATERAL);
const withJson = (text: string, change: (body: Record<string, unknown>) => void): string => {
  const body = JSON.parse(text) as Record<string, unknown>;
  change(body);
  return JSON.stringify(body);
};
const utcTime = (text: string): Buffer => Buffer.concat([Buffer.from([0x17, text.length]), Buffer.from(text, 'latin1')]);
const bitString = Buffer.from([0x03, 0x01, 0x00]);
const name = derSequence([]);
const algorithm = derSequence([derObjectIdentifier('1.2.840.10045.4.3.2')]);
/** A CRL without nextUpdate (optional in RFC 5280): v2 with a version, or v1 without. */
const crlWithoutNextUpdate = (withVersion: boolean, thisUpdate: string): string =>
  derSequence([derSequence([...(withVersion ? [derInteger(1)] : []), algorithm, name, utcTime(thisUpdate)]), algorithm, bitString]).toString('hex');

describe('parseDcapCollateral', () => {
  test('accepts the recorded collateral, hex or byte arrays, and a null PCK chain', () => {
    assert.equal(parseDcapCollateral(SAMPLE_COLLATERAL), SAMPLE_COLLATERAL);
    const arrays = { ...sample(), root_ca_crl: [...collateralBytes(SAMPLE_COLLATERAL.root_ca_crl)], pck_certificate_chain: null };
    assert.equal(parseDcapCollateral(arrays), arrays);
    assert.deepEqual(collateralBytes(arrays.root_ca_crl), collateralBytes(SAMPLE_COLLATERAL.root_ca_crl));
    assert.deepEqual(collateralBytes('00ff'), Buffer.from([0, 255]));
  });

  for (const value of [null, 'collateral', 42, undefined]) {
    test(`refuses ${String(value)} as not a JSON object`, () => {
      assert.throws(() => parseDcapCollateral(value, 'collateral file x.json'), isCode('CCN_ERR_ATTEST_COLLATERAL', /^collateral file x\.json is not a JSON object$/));
    });
  }

  for (const field of STRING_FIELDS) {
    test(`refuses a missing or non-string ${field}`, () => {
      const missing = { ...sample() } as Record<string, unknown>;
      delete missing[field];
      assert.throws(() => parseDcapCollateral(missing), isCode('CCN_ERR_ATTEST_COLLATERAL', new RegExp(`^collateral lacks the string field ${field}$`)));
      assert.throws(() => parseDcapCollateral({ ...sample(), [field]: 7 }), isCode('CCN_ERR_ATTEST_COLLATERAL', new RegExp(field)));
    });
  }

  const badBytes: Array<[string, unknown]> = [
    ['odd-length hex', 'abc'], ['non-hex text', 'zz'], ['a byte above 255', [1, 256]], ['a negative byte', [-1]],
    ['a fractional byte', [1.5]], ['a number', 12], ['strings in an array', ['ab']], ['a missing value', undefined],
  ];
  for (const field of BYTE_FIELDS) {
    test(`refuses bad bytes in ${field}`, () => {
      for (const [what, value] of badBytes) {
        assert.throws(() => parseDcapCollateral({ ...sample(), [field]: value }),
          isCode('CCN_ERR_ATTEST_COLLATERAL', new RegExp(`field ${field} must be hex or a byte array`)), what);
      }
    });
  }

  test('refuses a PCK certificate chain that is not a string', () => {
    assert.throws(() => parseDcapCollateral({ ...sample(), pck_certificate_chain: ['pem'] }), isCode('CCN_ERR_ATTEST_COLLATERAL', /pck_certificate_chain must be a PEM string/));
  });
});

describe('readCollateralValidity', () => {
  test('the recorded sample: usable from its latest issue time to its earliest nextUpdate', () => {
    const rootCrl = new x509.X509Crl(collateralBytes(SAMPLE_COLLATERAL.root_ca_crl));
    const pckCrl = new x509.X509Crl(collateralBytes(SAMPLE_COLLATERAL.pck_crl));
    const issued = [rootCrl.thisUpdate, pckCrl.thisUpdate, new Date('2025-06-19T10:16:03Z'), new Date('2025-06-19T10:32:27Z')].map((date) => date.getTime());
    const validity = readCollateralValidity(SAMPLE_COLLATERAL);
    assert.equal(validity.notBefore.getTime(), Math.max(...issued));
    assert.equal(validity.expiresAt.toISOString(), SAMPLE_EXPIRY.toISOString());
    assert.equal(pckCrl.nextUpdate?.toISOString(), SAMPLE_EXPIRY.toISOString(), 'the PCK CRL expires first');
    assert.ok(validity.notBefore < SAMPLE_TIME && SAMPLE_TIME < validity.expiresAt);
    assert.equal(validity.fmspc, 'B0C06F000000');
    assert.equal(validity.teeId, 'TDX');
    assert.equal(readCollateralValidity(OUTDATED_COLLATERAL).fmspc, '90C06F000000');
  });

  test('an earlier TCB info nextUpdate or a later QE identity issueDate moves the window', () => {
    const earlier = { ...sample(), tcb_info: withJson(SAMPLE_COLLATERAL.tcb_info, (body) => (body.nextUpdate = '2025-06-20T00:00:00Z')) };
    assert.equal(readCollateralValidity(earlier).expiresAt.toISOString(), '2025-06-20T00:00:00.000Z');
    const later = { ...sample(), qe_identity: withJson(SAMPLE_COLLATERAL.qe_identity, (body) => (body.issueDate = '2025-07-01T00:00:00Z')) };
    assert.equal(readCollateralValidity(later).notBefore.toISOString(), '2025-07-01T00:00:00.000Z');
  });

  test('a CRL without nextUpdate does not bound the window; v1 and v2 CRL layouts both read', () => {
    for (const withVersion of [true, false]) {
      const collateral = { ...sample(), root_ca_crl: crlWithoutNextUpdate(withVersion, '250619120000Z') };
      const validity = readCollateralValidity(collateral);
      assert.equal(validity.notBefore.toISOString(), '2025-06-19T12:00:00.000Z', `version field ${withVersion}`);
      assert.equal(validity.expiresAt.toISOString(), SAMPLE_EXPIRY.toISOString());
    }
  });

  test('the FMSPC is upper-cased and a TCB info without id counts as SGX', () => {
    const collateral = { ...sample(), tcb_info: withJson(SAMPLE_COLLATERAL.tcb_info, (body) => { body.fmspc = 'b0c06f000000'; delete body.id; }) };
    assert.deepEqual([readCollateralValidity(collateral).fmspc, readCollateralValidity(collateral).teeId], ['B0C06F000000', 'SGX']);
  });

  const refused: Array<[string, Partial<DcapCollateral>, RegExp]> = [
    ['TCB info that is not JSON', { tcb_info: '{"id":' }, /^TCB info is not valid JSON$/],
    ['QE identity that is not JSON', { qe_identity: 'nope' }, /^QE identity is not valid JSON$/],
    ['TCB info without nextUpdate', { tcb_info: withJson(SAMPLE_COLLATERAL.tcb_info, (body) => delete body.nextUpdate) }, /^TCB info lacks a valid issueDate\/nextUpdate$/],
    ['QE identity with a bad issueDate', { qe_identity: withJson(SAMPLE_COLLATERAL.qe_identity, (body) => (body.issueDate = 'yesterday')) }, /^QE identity lacks a valid/],
    ['a root CA CRL that is not DER', { root_ca_crl: 'deadbeef' }, /^root CA CRL is not a valid DER CRL$/],
    ['an empty PCK CRL', { pck_crl: '' }, /^PCK CRL is not a valid DER CRL$/],
    ['a PCK CRL with a bad thisUpdate', { pck_crl: crlWithoutNextUpdate(true, '2506191200Z') }, /^PCK CRL is not a valid DER CRL$/],
  ];
  for (const [what, change, pattern] of refused) {
    test(`refuses ${what}`, () => {
      assert.throws(() => readCollateralValidity({ ...sample(), ...change }), isCode('CCN_ERR_ATTEST_COLLATERAL', pattern));
    });
  }
});

describe('collateralPckCaType', () => {
  test('the recorded collateral is for the PCK Platform CA', () => {
    assert.equal(collateralPckCaType(SAMPLE_COLLATERAL), 'platform');
  });

  test('a chain headed by a PCK Processor CA is processor', async () => {
    const keys = await generateDevKeyPair();
    const processorCa = await issueDevCertificate({
      subject: 'CN=Intel SGX PCK Processor CA, O=Not Intel', subjectKeys: keys, certificateAuthority: true,
      notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2027-01-01T00:00:00Z'),
    });
    assert.equal(collateralPckCaType({ ...sample(), pck_crl_issuer_chain: certificatePem(processorCa) }), 'processor');
  });

  test('a chain without a certificate, or with a broken one, is refused', () => {
    assert.throws(() => collateralPckCaType({ ...sample(), pck_crl_issuer_chain: 'no pem here' }), isCode('CCN_ERR_ATTEST_COLLATERAL', /holds no certificate/));
    const broken = '-----BEGIN CERTIFICATE-----\nTUlJQ2xqQ0NBajJn\n-----END CERTIFICATE-----';
    assert.throws(() => collateralPckCaType({ ...sample(), pck_crl_issuer_chain: broken }), isCode('CCN_ERR_ATTEST_COLLATERAL', /is not a valid certificate/));
  });
});

describe('StaticCollateralSource', () => {
  test('serves its one collateral for any quote and time; malformed collateral is refused up front', async () => {
    const source = new StaticCollateralSource(SAMPLE_COLLATERAL);
    assert.equal(await source.get(SAMPLE_QUOTE, SAMPLE_TIME), SAMPLE_COLLATERAL);
    assert.equal(await source.get(REFERENCE_QUOTE, new Date(0)), SAMPLE_COLLATERAL);
    assert.throws(() => new StaticCollateralSource({ ...sample(), pck_crl: 12 } as unknown as DcapCollateral), isCode('CCN_ERR_ATTEST_COLLATERAL', /pck_crl/));
  });
});

describe('serializeDcapCollateral', () => {
  test('binary fields become hex; the JSON text parses back to collateral that verifies the quote the same', async () => {
    const fromLibrary = { ...sample(), root_ca_crl: [...collateralBytes(SAMPLE_COLLATERAL.root_ca_crl)], pck_crl: [...collateralBytes(SAMPLE_COLLATERAL.pck_crl)] };
    const json = serializeDcapCollateral(fromLibrary);
    for (const field of BYTE_FIELDS) assert.match(json[field]!, /^([0-9a-f]{2})+$/, field);
    assert.equal(json.root_ca_crl, collateralBytes(SAMPLE_COLLATERAL.root_ca_crl).toString('hex'));
    for (const field of STRING_FIELDS) assert.equal(json[field], SAMPLE_COLLATERAL[field]);
    assert.equal('pck_certificate_chain' in json, false, 'a missing PCK chain stays missing');
    const parsed = parseDcapCollateral(JSON.parse(JSON.stringify(json)));
    const verified = await new DcapQuoteVerifier({ collateral: new StaticCollateralSource(parsed) }).verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME);
    assert.equal(verified.tcbStatus, 'UpToDate');
    assert.match(verified.authority ?? '', /^Intel SGX Root CA sha256:[0-9a-f]{16}$/);
    assert.equal(serializeDcapCollateral({ ...sample(), pck_certificate_chain: 'PEM' }).pck_certificate_chain, 'PEM');
    assert.throws(() => serializeDcapCollateral({ ...sample(), pck_crl: 12 } as unknown as DcapCollateral), isCode('CCN_ERR_ATTEST_COLLATERAL', /pck_crl/));
  });
});

describe('checkDcapCertificateWindows', () => {
  test('each certificate of the issuer chains and of the PCK chain must be valid at the clock', async () => {
    const pckChain = embeddedPckChain(decodeTdxQuote(SAMPLE_QUOTE).quote)!;
    checkDcapCertificateWindows({ collateral: SAMPLE_COLLATERAL, embeddedPckChain: pckChain, now: SAMPLE_TIME });
    assert.throws(() => checkDcapCertificateWindows({ collateral: SAMPLE_COLLATERAL, embeddedPckChain: pckChain, now: new Date('2100-01-01T00:00:00Z') }),
      isCode('CCN_ERR_ATTEST_COLLATERAL', /TCB info issuer chain rejected under the trusted root CA: certificate ".*Intel SGX TCB Signing.*" is valid .* not at 2100/));
    const keys = await generateDevKeyPair();
    const expiredLeaf = await issueDevCertificate({
      subject: 'CN=expired PCK', subjectKeys: keys, certificateAuthority: false, notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z'),
    });
    assert.throws(() => checkDcapCertificateWindows({ collateral: SAMPLE_COLLATERAL, embeddedPckChain: [Buffer.from(expiredLeaf.rawData), ...pckChain.slice(1)], now: SAMPLE_TIME }),
      isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /PCK certificate chain rejected under the trusted root CA: certificate "CN=expired PCK" is valid 2020-01-01T00:00:00.000Z to 2021-01-01T00:00:00.000Z/));
    assert.throws(() => checkDcapCertificateWindows({ collateral: { ...SAMPLE_COLLATERAL, pck_certificate_chain: certificatePem(expiredLeaf) }, embeddedPckChain: pckChain, now: SAMPLE_TIME }),
      isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /CN=expired PCK/), "the collateral's PCK chain, when it has one, is the one checked");
  });
});
