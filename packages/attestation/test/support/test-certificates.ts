// Test fixtures: certificates that a well-behaved or misbehaving peer may present.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type PeculiarKeyPair = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
type PeculiarKey = PeculiarKeyPair['publicKey'];
import {
  createAttestedCertificate,
  createSelfSignedCertificate,
  FakeTdxProvider,
  generateEd25519KeyPair,
  NoTeeProvider,
  RA_TLS_CERTIFICATE_NAME,
  type SelfSignedCertificate,
} from '../../src/index.ts';

export const CERTIFICATE_TIME = new Date('2026-01-01T00:00:00Z');
/** One hour into the certificates' validity window. */
export const VERIFY_TIME = new Date('2026-01-01T01:00:00Z');
export const FAKE_TDX_IMAGE_HASH = '5c55c8f4db4010ba9203d83536d0609856af8c847ac039e37e7dde8fbd574b61';

export const plainCertificate = (): Promise<SelfSignedCertificate> =>
  createAttestedCertificate({ provider: new NoTeeProvider(), now: CERTIFICATE_TIME });
export const fakeTdxCertificate = (): Promise<SelfSignedCertificate> =>
  createAttestedCertificate({ provider: new FakeTdxProvider(), now: CERTIFICATE_TIME });

export async function ecdsaCertificate(): Promise<SelfSignedCertificate> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: RA_TLS_CERTIFICATE_NAME,
    notBefore: CERTIFICATE_TIME,
    notAfter: new Date(CERTIFICATE_TIME.getTime() + 86_400_000),
    keys: keys as unknown as PeculiarKeyPair,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    publicKey: Buffer.from(await webcrypto.subtle.exportKey('raw', keys.publicKey)),
    certificateDer: Buffer.from(certificate.rawData),
  };
}

export const unknownCriticalExtensionCertificate = (): Promise<SelfSignedCertificate> =>
  createSelfSignedCertificate({ now: CERTIFICATE_TIME, extensions: [{ oid: '1.2.3.4.5', critical: true, value: Buffer.from([5, 0]) }] });

/** An Ed25519 leaf issued by another key (a chain of depth 1). */
export async function issuedByOtherKeyCertificate(): Promise<Buffer> {
  const issuerKeys = await generateEd25519KeyPair();
  const leafKeys = await generateEd25519KeyPair();
  const certificate = await x509.X509CertificateGenerator.create({
    subject: 'CN=leaf',
    issuer: 'CN=issuer',
    notBefore: CERTIFICATE_TIME,
    notAfter: new Date(CERTIFICATE_TIME.getTime() + 86_400_000),
    publicKey: leafKeys.publicKey as unknown as PeculiarKey,
    signingKey: issuerKeys.privateKey as unknown as PeculiarKey,
    signingAlgorithm: { name: 'Ed25519' },
  });
  return Buffer.from(certificate.rawData);
}

/** A fake-TDX style certificate whose extensions are built by the caller from the key. */
export async function certificateWithExtensions(build: (publicKey: Buffer) => Array<{ oid: string; critical: boolean; value: Buffer }>): Promise<SelfSignedCertificate> {
  const keyPair = await generateEd25519KeyPair();
  const publicKey = Buffer.from(await webcrypto.subtle.exportKey('raw', keyPair.publicKey));
  return createSelfSignedCertificate({ now: CERTIFICATE_TIME, keyPair, extensions: build(publicKey) });
}
