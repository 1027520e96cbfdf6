/**
 * Reads the fields of a DER X.509 certificate that RA-TLS verification needs: the signed part,
 * the issuer/subject names, the validity window, the raw Ed25519 key and the extensions.
 * Browser-safe (our strict DER reader; a node:crypto X509Certificate is accepted through its `raw`).
 */
import { CocoonError } from '@cocoon/protocol/browser';
import {
  DerTag,
  decodeObjectIdentifier,
  decodeTime,
  expectTag,
  malformed,
  readDerChildren,
  readDerElement,
  type DerElement,
} from './der-reader.ts';
import { CertificateOid } from './certificate-oids.ts';

export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Buffer;
}

export interface ParsedCertificate {
  readonly tbsCertificate: Buffer;
  readonly signatureAlgorithmOid: string;
  readonly tbsSignatureAlgorithmOid: string;
  readonly signature: Buffer;
  readonly issuer: Buffer;
  readonly subject: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Whole SubjectPublicKeyInfo (DER), e.g. for node:crypto createPublicKey. */
  readonly subjectPublicKeyInfo: Buffer;
  readonly publicKeyAlgorithmOid: string;
  /** The key bits: for Ed25519 the raw 32-byte public key. */
  readonly publicKey: Buffer;
  readonly extensions: readonly CertificateExtension[];
}

const CONTEXT_VERSION = 0xa0;
const CONTEXT_EXTENSIONS = 0xa3;

/** A certificate as DER bytes, or an object holding them (a node:crypto X509Certificate). */
export type CertificateInput = Uint8Array | { readonly raw: Uint8Array };

/** Parses a certificate given as DER bytes or as a node:crypto X509Certificate. */
export function readCertificate(certificate: CertificateInput): ParsedCertificate {
  const bytes = certificate instanceof Uint8Array ? certificate : certificate.raw;
  const der = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const outer = expectTag(readDerElement(der, 0), DerTag.sequence, 'certificate sequence');
  if (outer.bytes.length !== der.length) throw malformed('trailing bytes after the certificate');
  const [tbs, signatureAlgorithm, signatureValue] = readDerChildren(outer);
  const tbsElement = expectTag(tbs, DerTag.sequence, 'tbsCertificate');
  const tbsFields = readDerChildren(tbsElement);
  let index = tbsFields[0]?.tag === CONTEXT_VERSION ? 1 : 0;
  expectTag(tbsFields[index++], DerTag.integer, 'serial number');
  const tbsSignatureAlgorithm = tbsFields[index++];
  const issuer = expectTag(tbsFields[index++], DerTag.sequence, 'issuer');
  const validity = readDerChildren(expectTag(tbsFields[index++], DerTag.sequence, 'validity'));
  const subject = expectTag(tbsFields[index++], DerTag.sequence, 'subject');
  const spki = expectTag(tbsFields[index++], DerTag.sequence, 'subjectPublicKeyInfo');
  const [spkiAlgorithm, spkiKey] = readDerChildren(spki);
  const extensionsField = tbsFields.slice(index).find((field) => field.tag === CONTEXT_EXTENSIONS);
  return {
    tbsCertificate: tbsElement.bytes,
    signatureAlgorithmOid: algorithmOid(signatureAlgorithm),
    tbsSignatureAlgorithmOid: algorithmOid(tbsSignatureAlgorithm),
    signature: bitStringContent(signatureValue, 'signature'),
    issuer: issuer.bytes,
    subject: subject.bytes,
    notBefore: decodeTime(validity[0]),
    notAfter: decodeTime(validity[1]),
    subjectPublicKeyInfo: spki.bytes,
    publicKeyAlgorithmOid: algorithmOid(spkiAlgorithm),
    publicKey: bitStringContent(spkiKey, 'public key'),
    extensions: extensionsField ? readExtensions(extensionsField) : [],
  };
}

/** The raw 32-byte Ed25519 public key of a certificate; throws for any other key type. */
export function readEd25519PublicKey(certificate: CertificateInput): Buffer {
  const parsed = readCertificate(certificate);
  if (parsed.publicKeyAlgorithmOid !== CertificateOid.ed25519 || parsed.publicKey.length !== 32) {
    throw new CocoonError('CCN_ERR_ATTEST_BAD_CERTIFICATE', `certificate key is not Ed25519 (algorithm ${parsed.publicKeyAlgorithmOid})`);
  }
  return parsed.publicKey;
}

export function findExtension(parsed: ParsedCertificate, oid: string): CertificateExtension | undefined {
  return parsed.extensions.find((extension) => extension.oid === oid);
}

function algorithmOid(element: DerElement | undefined): string {
  const [oid] = readDerChildren(expectTag(element, DerTag.sequence, 'algorithm identifier'));
  return decodeObjectIdentifier(expectTag(oid, DerTag.objectIdentifier, 'algorithm object identifier'));
}

function bitStringContent(element: DerElement | undefined, what: string): Buffer {
  const value = expectTag(element, DerTag.bitString, what).value;
  if (value.length === 0 || value[0] !== 0) throw malformed(`${what} has unused bits`);
  return value.subarray(1);
}

function readExtensions(field: DerElement): CertificateExtension[] {
  const [list] = readDerChildren(field);
  return readDerChildren(expectTag(list, DerTag.sequence, 'extension list')).map((item) => {
    const parts = readDerChildren(expectTag(item, DerTag.sequence, 'extension'));
    const oid = decodeObjectIdentifier(expectTag(parts[0], DerTag.objectIdentifier, 'extension id'));
    let critical = false;
    let valueIndex = 1;
    if (parts[1]?.tag === DerTag.boolean) {
      if (parts[1].value.length !== 1) throw malformed('bad critical flag');
      critical = parts[1].value[0] !== 0;
      valueIndex = 2;
    }
    const value = expectTag(parts[valueIndex], DerTag.octetString, 'extension value').value;
    if (parts.length !== valueIndex + 1) throw malformed(`extension ${oid} has extra fields`);
    return { oid, critical, value };
  });
}
