// Tests of RA-TLS certificate generation (§7.2) and the DER certificate reader.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { CocoonError } from '@cocoon/protocol';
import { CertificateOid, createSelfSignedCertificate, findExtension, readCertificate, readEd25519PublicKey } from '../../src/index.ts';
import { CERTIFICATE_TIME, ecdsaCertificate, fakeTdxCertificate } from '../support/test-certificates.ts';

const isCode = (code: string) => (error: unknown) => error instanceof CocoonError && error.code === code;

describe('createSelfSignedCertificate', () => {
  test('produces the reference certificate layout', async () => {
    const created = await createSelfSignedCertificate({ now: CERTIFICATE_TIME });
    const certificate = new X509Certificate(created.certificatePem);
    assert.equal(certificate.subject, 'C=AE\nST=DUBAI\nO=TDLib Development\nOU=Security\nCN=localhost');
    assert.equal(certificate.issuer, certificate.subject);
    assert.equal(certificate.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    assert.equal(certificate.ca, false);
    assert.deepEqual(certificate.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    assert.equal(certificate.publicKey.asymmetricKeyType, 'ed25519');
    assert.ok(certificate.verify(certificate.publicKey));
    assert.ok(certificate.raw.equals(created.certificateDer));
    assert.equal(created.publicKey.length, 32);
    assert.ok(created.privateKeyPem.startsWith('-----BEGIN PRIVATE KEY-----'));
    const parsed = readCertificate(created.certificateDer);
    assert.equal(parsed.notBefore.toISOString(), CERTIFICATE_TIME.toISOString());
    assert.equal(parsed.notAfter.getTime() - parsed.notBefore.getTime(), 86_400_000);
    const keyUsage = findExtension(parsed, CertificateOid.keyUsage);
    assert.equal(keyUsage?.critical, true);
    assert.deepEqual(keyUsage?.value, Buffer.from([0x03, 0x02, 0x07, 0x80])); // digitalSignature only
    assert.equal(findExtension(parsed, CertificateOid.basicConstraints)?.value.toString('hex'), '3000'); // CA:false
  });

  test('honours the validity and custom extensions', async () => {
    const created = await createSelfSignedCertificate({
      now: new Date('2026-03-04T05:06:07.890Z'),
      validitySeconds: 60,
      extensions: [{ oid: '1.3.6.1.4.1.12345.2', critical: true, value: Buffer.alloc(32, 9) }],
    });
    const parsed = readCertificate(new X509Certificate(created.certificateDer));
    assert.equal(parsed.notBefore.toISOString(), '2026-03-04T05:06:07.000Z');
    assert.equal(parsed.notAfter.toISOString(), '2026-03-04T05:07:07.000Z');
    assert.deepEqual(findExtension(parsed, CertificateOid.tdxUserClaims), { oid: CertificateOid.tdxUserClaims, critical: true, value: Buffer.alloc(32, 9) });
  });

  test('fake TDX certificates carry the quote and the key as claims', async () => {
    const created = await fakeTdxCertificate();
    const parsed = readCertificate(created.certificateDer);
    assert.deepEqual(readEd25519PublicKey(created.certificateDer), created.publicKey);
    assert.deepEqual(findExtension(parsed, CertificateOid.tdxUserClaims)?.value, created.publicKey);
    assert.equal(findExtension(parsed, CertificateOid.tdxQuote)?.value.length, 64);
  });
});

describe('readCertificate', () => {
  test('rejects a truncated or padded certificate', async () => {
    const { certificateDer } = await createSelfSignedCertificate({ now: CERTIFICATE_TIME });
    assert.throws(() => readCertificate(certificateDer.subarray(0, certificateDer.length - 1)), isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE'));
    assert.throws(() => readCertificate(Buffer.concat([certificateDer, Buffer.from([0])])), isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE'));
    assert.throws(() => readCertificate(Buffer.from('3003020101', 'hex')), isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE'));
  });
  test('readEd25519PublicKey refuses an ECDSA key', async () => {
    const { certificateDer } = await ecdsaCertificate();
    assert.equal(readCertificate(certificateDer).publicKeyAlgorithmOid, '1.2.840.10045.2.1');
    assert.throws(() => readEd25519PublicKey(certificateDer), isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE'));
  });
});
