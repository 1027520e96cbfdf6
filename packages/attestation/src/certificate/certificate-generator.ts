/**
 * Creates the self-signed Ed25519 RA-TLS certificate of §7.2 (subject/issuer, SAN, key usages,
 * optional critical attestation extensions) with @peculiar/x509 over WebCrypto.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertificateExtension } from './certificate-reader.ts';

type PeculiarCrypto = Parameters<typeof x509.cryptoProvider.set>[0];
type PeculiarKeyPair = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];

x509.cryptoProvider.set(webcrypto as unknown as PeculiarCrypto);

/** Subject and issuer of every reference RA-TLS certificate. */
export const RA_TLS_CERTIFICATE_NAME = 'C=AE, ST=DUBAI, O=TDLib Development, OU=Security, CN=localhost';
export const DEFAULT_CERTIFICATE_VALIDITY_SECONDS = 86_400;

export type Ed25519KeyPair = webcrypto.CryptoKeyPair;

export interface SelfSignedCertificateOptions {
  now: Date;
  validitySeconds?: number;
  extensions?: readonly CertificateExtension[];
  /** An extractable WebCrypto Ed25519 key pair; a fresh one is generated when absent. */
  keyPair?: Ed25519KeyPair;
  /** Serial number bytes (positive); random when absent. */
  serialNumber?: Buffer;
}

export interface SelfSignedCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Buffer;
  certificateDer: Buffer;
}

export async function generateEd25519KeyPair(): Promise<Ed25519KeyPair> {
  return (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as Ed25519KeyPair;
}

export async function exportRawPublicKey(keyPair: Ed25519KeyPair): Promise<Buffer> {
  return Buffer.from(await webcrypto.subtle.exportKey('raw', keyPair.publicKey));
}

export async function createSelfSignedCertificate(options: SelfSignedCertificateOptions): Promise<SelfSignedCertificate> {
  const keyPair = options.keyPair ?? (await generateEd25519KeyPair());
  const validitySeconds = options.validitySeconds ?? DEFAULT_CERTIFICATE_VALIDITY_SECONDS;
  const notBefore = new Date(Math.floor(options.now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + validitySeconds * 1000);
  const serialNumber = options.serialNumber ?? webcrypto.getRandomValues(Buffer.alloc(16));
  serialNumber[0]! &= 0x7f;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(serialNumber).toString('hex'),
    name: RA_TLS_CERTIFICATE_NAME,
    notBefore,
    notAfter,
    keys: keyPair as unknown as PeculiarKeyPair,
    signingAlgorithm: { name: 'Ed25519' },
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      ...(options.extensions ?? []).map((extension) => new x509.Extension(extension.oid, extension.critical, extension.value)),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keyPair.privateKey);
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    publicKey: await exportRawPublicKey(keyPair),
    certificateDer: Buffer.from(certificate.rawData),
  };
}
