// Tests of the attestation policies (`any`, `fake_tdx`, pluggable `tdx`) and the image hash (§7.1, §7.3, §7.4).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CocoonError } from '@cocoon/protocol';
import {
  AnyPolicyVerifier,
  CertificateOid,
  FakeTdxPolicyVerifier,
  QuotePolicyVerifier,
  computeImageHash,
  createAttestationVerifier,
  zeroMeasurements,
  type QuoteVerifier,
} from '../../src/index.ts';
import {
  CERTIFICATE_TIME,
  FAKE_TDX_IMAGE_HASH,
  VERIFY_TIME,
  certificateWithExtensions,
  ecdsaCertificate,
  fakeTdxCertificate,
  issuedByOtherKeyCertificate,
  plainCertificate,
  unknownCriticalExtensionCertificate,
} from '../support/test-certificates.ts';

const isCode = (code: string, pattern?: RegExp) => (error: unknown) =>
  error instanceof CocoonError && error.code === code && (!pattern || pattern.test(error.message));
const sha512 = (data: Buffer): Buffer => createHash('sha512').update(data).digest();

describe('image hash', () => {
  test('fake TDX (all registers zero) matches §17', () => {
    assert.equal(computeImageHash(zeroMeasurements()).toString('hex'), FAKE_TDX_IMAGE_HASH);
  });
  test('no attestation gives the all-zero hash', () => {
    assert.deepEqual(computeImageHash(undefined), Buffer.alloc(32));
  });
  test('report data does not change the image hash, registers do', () => {
    assert.equal(computeImageHash(zeroMeasurements(Buffer.alloc(64, 1))).toString('hex'), FAKE_TDX_IMAGE_HASH);
    const measured = { ...zeroMeasurements(), rtmr3: Buffer.alloc(48, 1) };
    assert.notEqual(computeImageHash(measured).toString('hex'), FAKE_TDX_IMAGE_HASH);
  });
});

describe('any policy', () => {
  const verifier = new AnyPolicyVerifier();
  test('accepts a plain self-signed Ed25519 certificate with a zero image hash', async () => {
    const certificate = await plainCertificate();
    const peer = await verifier.verify({ certificateDer: certificate.certificateDer }, VERIFY_TIME);
    assert.equal(peer.policy, 'any');
    assert.deepEqual(peer.publicKey, certificate.publicKey);
    assert.deepEqual(peer.imageHash, Buffer.alloc(32));
    assert.equal(peer.measurements, undefined);
  });
  test('accepts a fake TDX certificate but does not trust its claims', async () => {
    const peer = await verifier.verify({ certificateDer: (await fakeTdxCertificate()).certificateDer }, VERIFY_TIME);
    assert.deepEqual(peer.imageHash, Buffer.alloc(32));
  });
  test('rejects a missing certificate', async () => {
    await assert.rejects(verifier.verify({ certificateDer: undefined }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_NO_CERTIFICATE'));
  });
  test('rejects an ECDSA certificate', async () => {
    const { certificateDer } = await ecdsaCertificate();
    await assert.rejects(verifier.verify({ certificateDer }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /not Ed25519/));
  });
  test('rejects an unknown critical extension, accepts an unknown non-critical one', async () => {
    const { certificateDer } = await unknownCriticalExtensionCertificate();
    await assert.rejects(verifier.verify({ certificateDer }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /critical extension 1\.2\.3\.4\.5/));
    const lenient = await certificateWithExtensions(() => [{ oid: '1.2.3.4.5', critical: false, value: Buffer.from([5, 0]) }]);
    assert.equal((await verifier.verify({ certificateDer: lenient.certificateDer }, VERIFY_TIME)).policy, 'any');
  });
  test('enforces the validity window', async () => {
    const { certificateDer } = await plainCertificate();
    await assert.rejects(verifier.verify({ certificateDer }, new Date(CERTIFICATE_TIME.getTime() - 1000)), isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /not valid before/));
    await assert.rejects(verifier.verify({ certificateDer }, new Date(CERTIFICATE_TIME.getTime() + 86_401_000)), isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /expired/));
    assert.equal((await verifier.verify({ certificateDer }, new Date(CERTIFICATE_TIME.getTime() + 86_400_000))).policy, 'any');
  });
  test('rejects a broken self-signature', async () => {
    const certificateDer = Buffer.from((await plainCertificate()).certificateDer);
    certificateDer[certificateDer.length - 5]! ^= 1;
    await assert.rejects(verifier.verify({ certificateDer }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /self-signature/));
  });
  test('rejects a certificate issued by another key (chains are not accepted)', async () => {
    const certificateDer = await issuedByOtherKeyCertificate();
    await assert.rejects(verifier.verify({ certificateDer }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /not self-signed/));
  });
});

describe('fake_tdx policy', () => {
  const verifier = new FakeTdxPolicyVerifier();
  test('accepts a fake TDX certificate with the fake image hash', async () => {
    const certificate = await fakeTdxCertificate();
    const peer = await verifier.verify({ certificateDer: certificate.certificateDer }, VERIFY_TIME);
    assert.equal(peer.policy, 'fake_tdx');
    assert.equal(peer.imageHash.toString('hex'), FAKE_TDX_IMAGE_HASH);
    assert.deepEqual(peer.publicKey, certificate.publicKey);
    assert.deepEqual(peer.measurements?.reportData, sha512(certificate.publicKey));
    assert.equal(peer.tcbStatus, 'Unverified (fake TDX)');
  });
  test('rejects a plain certificate', async () => {
    const { certificateDer } = await plainCertificate();
    await assert.rejects(verifier.verify({ certificateDer }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_POLICY', /requires the TDX quote/));
  });
  test('rejects claims that are not the certificate key', async () => {
    const other = Buffer.alloc(32, 7);
    const { certificateDer } = await certificateWithExtensions(() => [
      { oid: CertificateOid.tdxQuote, critical: true, value: sha512(other) },
      { oid: CertificateOid.tdxUserClaims, critical: true, value: other },
    ]);
    await assert.rejects(verifier.verify({ certificateDer }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_POLICY', /user claims/));
  });
  test('rejects a quote that is not SHA-512 of the claims', async () => {
    const { certificateDer } = await certificateWithExtensions((publicKey) => [
      { oid: CertificateOid.tdxQuote, critical: true, value: Buffer.alloc(64) },
      { oid: CertificateOid.tdxUserClaims, critical: true, value: publicKey },
    ]);
    await assert.rejects(verifier.verify({ certificateDer }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_POLICY', /report data/));
  });
  test('rejects a quote of the wrong size and non-critical attestation extensions', async () => {
    const wrongSize = await certificateWithExtensions((publicKey) => [
      { oid: CertificateOid.tdxQuote, critical: true, value: Buffer.concat([sha512(publicKey), Buffer.alloc(1)]) },
      { oid: CertificateOid.tdxUserClaims, critical: true, value: publicKey },
    ]);
    await assert.rejects(verifier.verify({ certificateDer: wrongSize.certificateDer }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_POLICY', /64 bytes/));
    const nonCritical = await certificateWithExtensions((publicKey) => [
      { oid: CertificateOid.tdxQuote, critical: false, value: sha512(publicKey) },
      { oid: CertificateOid.tdxUserClaims, critical: true, value: publicKey },
    ]);
    await assert.rejects(verifier.verify({ certificateDer: nonCritical.certificateDer }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_POLICY', /critical/));
  });
  test('an image-hash allow-list admits only listed images', async () => {
    const { certificateDer } = await fakeTdxCertificate();
    const allowed = new FakeTdxPolicyVerifier({ allowedImageHashes: [Buffer.from(FAKE_TDX_IMAGE_HASH, 'hex')] });
    assert.equal((await allowed.verify({ certificateDer }, VERIFY_TIME)).imageHash.toString('hex'), FAKE_TDX_IMAGE_HASH);
    const denied = new FakeTdxPolicyVerifier({ allowedImageHashes: [Buffer.alloc(32, 1)] });
    await assert.rejects(denied.verify({ certificateDer }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_POLICY', /not allowed/));
  });
});

describe('createAttestationVerifier', () => {
  test('builds any and fake_tdx on a test network, refuses fake_tdx on a production one and unknown policies', () => {
    const quiet = { warn: () => undefined };
    assert.equal(createAttestationVerifier({ policy: 'any', networkIsTest: true, logger: quiet }).policy, 'any');
    assert.equal(createAttestationVerifier({ policy: 'fake_tdx', networkIsTest: true, logger: quiet }).policy, 'fake_tdx');
    assert.throws(() => createAttestationVerifier({ policy: 'fake_tdx', networkIsTest: false, logger: quiet }), (error: unknown) => error instanceof CocoonError);
    assert.throws(() => createAttestationVerifier({ policy: 'sgx' as 'tdx', networkIsTest: true, logger: quiet }), (error: unknown) => error instanceof CocoonError);
  });
  test('tdx runs the injected quote verifier', async () => {
    const certificate = await fakeTdxCertificate();
    const seen: Buffer[] = [];
    const quoteVerifier: QuoteVerifier = {
      kind: 'stub',
      verifyQuote: async (quote) => {
        seen.push(quote);
        return { measurements: { ...zeroMeasurements(Buffer.from(quote)), mrTd: Buffer.alloc(48, 2) }, tcbStatus: 'UpToDate', advisoryIds: [] };
      },
    };
    const peer = await new QuotePolicyVerifier('tdx', quoteVerifier).verify({ certificateDer: certificate.certificateDer }, VERIFY_TIME);
    assert.equal(peer.policy, 'tdx');
    assert.equal(seen.length, 1);
    assert.equal(peer.tcbStatus, 'UpToDate');
    assert.notEqual(peer.imageHash.toString('hex'), FAKE_TDX_IMAGE_HASH);
  });
});
