// Simulated TDX v4 quotes: the structure our parser and dcap-qvl read (header, TD report of the
// dev platform, QE report binding the attestation key, embedded dev PCK chain), register length
// checks, and what signature-only and full DCAP verification make of altered quotes.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { DevAttestationAuthority, DevPlatform, devQuoteVerifier, parseTdxQuote, simulatedMeasurements, verifyQuoteSignatureOnly } from '../../src/index.ts';
import { buildQeCertificationData, buildSimulatedQuote, type TdxMeasurementRegisters } from '../../src/simulated/simulated-quote-builder.ts';
import { isCode } from '../dcap/dcap-fixtures.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const REGISTERS: TdxMeasurementRegisters = simulatedMeasurements(Buffer.alloc(32, 3), { role: 'worker' });
const REPORT_DATA = Buffer.alloc(64, 0x5a);

interface AttestationKey { privateKey: KeyObject; publicKey: Buffer }
function attestationKey(): AttestationKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  return { privateKey, publicKey: Buffer.concat([Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]) };
}

describe('buildSimulatedQuote', () => {
  let authority: DevAttestationAuthority;
  let key: AttestationKey;
  let qeCertificationData: Buffer;
  const build = (registers = REGISTERS, reportData = REPORT_DATA, certification = qeCertificationData): Buffer =>
    buildSimulatedQuote({ registers, reportData, attestationPrivateKey: key.privateKey, attestationPublicKey: key.publicKey, qeCertificationData: certification });

  before(async () => {
    authority = await DevAttestationAuthority.generate({ now: new Date('2026-02-01T00:00:00Z') });
    key = attestationKey();
    qeCertificationData = buildQeCertificationData(authority, key.publicKey);
  });

  test('parses as a v4 TD 1.0 quote of the dev platform with our registers', () => {
    const parsed = parseTdxQuote(build());
    assert.deepEqual([parsed.version, parsed.teeType, parsed.reportType, parsed.attestationKeyType], [4, 'tdx', 'td10', 2]);
    assert.equal(parsed.signedLength, 48 + 584);
    assert.equal(parsed.certificationDataType, 5);
    assert.equal(parsed.fmspc, DevPlatform.fmspc.toString('hex').toUpperCase());
    assert.equal(parsed.pckCaType, 'platform');
    assert.deepEqual(parsed.tdAttributes, DevPlatform.tdAttributes);
    assert.deepEqual(parsed.xfam, DevPlatform.xfam);
    assert.deepEqual(parsed.mrSeam, DevPlatform.mrSeam);
    assert.deepEqual(parsed.teeTcbSvn, DevPlatform.teeTcbSvn);
    const { reportData, ...registers } = parsed.measurements;
    assert.deepEqual(registers, REGISTERS);
    assert.deepEqual(reportData, REPORT_DATA);
  });

  test('verifies signature-only and with full DCAP under the dev root, not under Intel\'s', async () => {
    const quote = build();
    assert.equal(verifyQuoteSignatureOnly(quote, NOW, authority.rootCertificateDer).fmspc, '00C0C0DE0000');
    assert.throws(() => verifyQuoteSignatureOnly(quote, NOW), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /does not lead to the trusted root/));
    assert.equal((await devQuoteVerifier(authority).verifyQuote(quote, NOW)).tcbStatus, 'UpToDate');
  });

  test('each register and the report data must have its exact length', () => {
    for (const name of ['mrTd', 'mrConfigId', 'mrOwner', 'mrOwnerConfig', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'] as const) {
      assert.throws(() => build({ ...REGISTERS, [name]: Buffer.alloc(47) }), { name: 'RangeError', message: /must be 48 bytes, got 47$/ }, name);
    }
    assert.throws(() => build({ ...REGISTERS, rtmr2: Buffer.alloc(49) }), { message: 'RTMR2 must be 48 bytes, got 49' });
    assert.throws(() => build(REGISTERS, Buffer.alloc(63)), { message: 'REPORTDATA must be 64 bytes, got 63' });
  });

  test('QE certification data for another attestation key does not bind this key', async () => {
    const foreign = buildQeCertificationData(authority, attestationKey().publicKey);
    const quote = build(REGISTERS, REPORT_DATA, foreign);
    assert.throws(() => verifyQuoteSignatureOnly(quote, NOW, authority.rootCertificateDer), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /does not bind the attestation key/));
    await assert.rejects(devQuoteVerifier(authority).verifyQuote(quote, NOW), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /QE report data does not bind the attestation key/));
  });

  test('a validly signed quote of a debug TD is refused by both verifiers', async () => {
    const original = Buffer.from(DevPlatform.tdAttributes);
    DevPlatform.tdAttributes[0] = 0x01; // TUD: the TD is debuggable
    let quote: Buffer;
    try {
      quote = build();
    } finally {
      original.copy(DevPlatform.tdAttributes);
    }
    assert.equal(parseTdxQuote(quote).tdAttributes[0], 1);
    assert.throws(() => verifyQuoteSignatureOnly(quote, NOW, authority.rootCertificateDer), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /TD runs in debug mode/));
    await assert.rejects(devQuoteVerifier(authority).verifyQuote(quote, NOW), isCode('CCN_ERR_ATTEST_QUOTE_INVALID'));
  });
});
