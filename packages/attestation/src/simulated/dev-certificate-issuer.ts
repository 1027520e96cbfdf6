/**
 * X.509 plumbing of the dev root of trust: ECDSA P-256 keys, CA / leaf certificates and empty
 * CRLs signed by their issuers (@peculiar/x509 over WebCrypto), plus raw r‖s ECDSA signing as
 * DCAP uses for quotes, QE reports and collateral.
 */
import 'reflect-metadata';
import { createPrivateKey, sign, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type PeculiarCrypto = Parameters<typeof x509.cryptoProvider.set>[0];
type PeculiarCryptoKey = x509.X509CertificateCreateWithKeyParams['signingKey'];

x509.cryptoProvider.set(webcrypto as unknown as PeculiarCrypto);

const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** An ECDSA P-256 key pair, kept both as PKCS#8 PEM (for saving / Node signing) and WebCrypto keys. */
export interface DevKeyPair {
  readonly privateKeyPem: string;
  readonly privateKey: KeyObject;
  readonly webKeys: webcrypto.CryptoKeyPair;
}

export async function generateDevKeyPair(): Promise<DevKeyPair> {
  const webKeys = (await webcrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', webKeys.privateKey);
  const privateKeyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
  return { privateKeyPem, privateKey: createPrivateKey(privateKeyPem), webKeys };
}

/** Signs with ECDSA-P256-SHA256 and returns the 64-byte r‖s form used throughout DCAP. */
export function signRawEcdsa(privateKey: KeyObject, data: Buffer): Buffer {
  return sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
}

export interface DevCertificateRequest {
  subject: string;
  /** Issuer name and key; absent ⇒ self-signed with the subject key. */
  issuer?: { name: string; keys: DevKeyPair };
  subjectKeys: DevKeyPair;
  notBefore: Date;
  notAfter: Date;
  certificateAuthority: boolean;
  /** Extra extensions (raw DER values), e.g. the SGX PCK extension. */
  extensions?: readonly { oid: string; critical: boolean; value: Buffer }[];
}

function randomSerialNumber(): string {
  const serial = webcrypto.getRandomValues(Buffer.alloc(16));
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return serial.toString('hex');
}

export async function issueDevCertificate(request: DevCertificateRequest): Promise<x509.X509Certificate> {
  const issuerKeys = request.issuer?.keys ?? request.subjectKeys;
  const keyUsage = request.certificateAuthority
    ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
    : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation;
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: request.subject,
    issuer: request.issuer?.name ?? request.subject,
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    signingAlgorithm: ECDSA_SHA256,
    publicKey: request.subjectKeys.webKeys.publicKey as unknown as PeculiarCryptoKey,
    signingKey: issuerKeys.webKeys.privateKey as unknown as PeculiarCryptoKey,
    extensions: [
      new x509.BasicConstraintsExtension(request.certificateAuthority, undefined, true),
      new x509.KeyUsagesExtension(keyUsage, true),
      await x509.SubjectKeyIdentifierExtension.create(request.subjectKeys.webKeys.publicKey as unknown as PeculiarCryptoKey),
      ...(request.extensions ?? []).map((extension) => new x509.Extension(extension.oid, extension.critical, extension.value)),
    ],
  });
}

/** An empty (nothing revoked) CRL signed by the issuer; DER. */
export async function createEmptyCrl(issuerName: string, issuerKeys: DevKeyPair, thisUpdate: Date, nextUpdate: Date): Promise<Buffer> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: issuerName,
    thisUpdate,
    nextUpdate,
    signingAlgorithm: ECDSA_SHA256,
    signingKey: issuerKeys.webKeys.privateKey as unknown as PeculiarCryptoKey,
  });
  return Buffer.from(crl.rawData);
}

export function certificatePem(certificate: x509.X509Certificate): string {
  return certificate.toString('pem');
}

/** Re-creates a DevKeyPair from a saved PKCS#8 PEM key. */
export async function importDevKeyPair(privateKeyPem: string): Promise<DevKeyPair> {
  const privateKey = createPrivateKey(privateKeyPem);
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const webPrivate = await webcrypto.subtle.importKey('pkcs8', pkcs8, ECDSA_P256, true, ['sign']);
  const jwk = privateKey.export({ format: 'jwk' });
  const webPublic = await webcrypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, ECDSA_P256, true, ['verify']);
  return { privateKeyPem, privateKey, webKeys: { privateKey: webPrivate, publicKey: webPublic } };
}
