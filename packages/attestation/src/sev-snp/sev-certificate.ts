/**
 * The X.509 parts of SEV-SNP verification, browser-safe (our strict DER reader and WebCrypto's
 * `crypto.subtle`, global in Node 20 and browsers): a certificate of an ARK → ASK → VCEK chain read
 * with its serial number, CA flag and signature algorithm, and the signature checks — a certificate
 * or CRL signed by an issuer key (RSASSA-PSS as AMD signs, with its hash and salt parameters;
 * RSASSA-PKCS1-v1_5; ECDSA P-256/P-384 as the dev chain signs) and a report signed by its VCEK
 * (ECDSA P-384 with SHA-384, r‖s). The Node verifier and the portable one both check with these.
 */
import { CocoonError } from '@cocoon/protocol/browser';
import { CertificateOid } from '../certificate/certificate-oids.ts';
import { readCertificate, type ParsedCertificate } from '../certificate/certificate-reader.ts';
import { DerTag, decodeObjectIdentifier, expectTag, readDerChildren, readDerElement, type DerElement } from '../certificate/der-reader.ts';

/** What WebCrypto needs to check one signature: how to import the issuer's key, and how to verify. */
export interface SevSignatureAlgorithm {
  /** The algorithm OID as written (1.2.840.113549.1.1.10 for RSASSA-PSS). */
  readonly oid: string;
  readonly kind: 'RSA-PSS' | 'RSASSA-PKCS1-v1_5' | 'ECDSA';
  readonly hash: 'SHA-256' | 'SHA-384' | 'SHA-512';
  /** RSA-PSS only. */
  readonly saltLength?: number;
}

/** A signed ASN.1 object (certificate or CRL): its signed part, algorithm and signature bits. */
export interface SevSignedObject {
  readonly signedBytes: Buffer;
  readonly algorithm: SevSignatureAlgorithm;
  readonly signature: Buffer;
}

export interface SevCertificate extends SevSignedObject {
  readonly der: Buffer;
  readonly parsed: ParsedCertificate;
  /** Serial number, upper-case hex as node:crypto writes it ("0D0001"). */
  readonly serialNumber: string;
  /** basicConstraints cA. */
  readonly isCa: boolean;
}

const OID = {
  rsaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
} as const;
const HASHES: Readonly<Record<string, SevSignatureAlgorithm['hash']>> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};
const FIXED_ALGORITHMS: Readonly<Record<string, Omit<SevSignatureAlgorithm, 'oid'>>> = {
  '1.2.840.113549.1.1.11': { kind: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { kind: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { kind: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' },
  '1.2.840.10045.4.3.2': { kind: 'ECDSA', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { kind: 'ECDSA', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { kind: 'ECDSA', hash: 'SHA-512' },
};
const CONTEXT = (index: number): number => 0xa0 + index;

const invalid = (message: string): CocoonError => new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', message);

/** Lower-case hex of a DER INTEGER's content without leading zero bytes ("00" for zero). */
export function serialHex(value: Buffer): string {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  return value.subarray(start).toString('hex') || '00';
}

function hashOf(element: DerElement | undefined, what: string): SevSignatureAlgorithm['hash'] {
  const [oid] = readDerChildren(expectTag(element, DerTag.sequence, what));
  const hash = HASHES[decodeObjectIdentifier(expectTag(oid, DerTag.objectIdentifier, what))];
  if (!hash) throw invalid(`${what} is not SHA-256, SHA-384 or SHA-512`);
  return hash;
}

/** RSASSA-PSS-params (RFC 4055): the hash, MGF1 over the same hash, the salt length, trailer 1. */
function pssAlgorithm(parameters: DerElement | undefined): SevSignatureAlgorithm {
  const fields = readDerChildren(expectTag(parameters, DerTag.sequence, 'RSASSA-PSS parameters'));
  const field = (index: number): DerElement | undefined => {
    const tagged = fields.find((item) => item.tag === CONTEXT(index));
    return tagged ? readDerChildren(tagged)[0] : undefined;
  };
  const hash = field(0) ? hashOf(field(0), 'RSASSA-PSS hash') : undefined;
  const mgf = field(1);
  if (!hash || !mgf) throw invalid('RSASSA-PSS with the SHA-1 defaults is not accepted');
  const [mgfOid, mgfHash] = readDerChildren(expectTag(mgf, DerTag.sequence, 'RSASSA-PSS mask generation'));
  if (decodeObjectIdentifier(expectTag(mgfOid, DerTag.objectIdentifier, 'mask generation')) !== OID.mgf1 || hashOf(mgfHash, 'MGF1 hash') !== hash) {
    throw invalid('RSASSA-PSS mask generation must be MGF1 over the signature hash');
  }
  const salt = field(2);
  const saltLength = salt ? integerValue(expectTag(salt, DerTag.integer, 'RSASSA-PSS salt length')) : 20;
  const trailer = field(3);
  if (trailer && integerValue(expectTag(trailer, DerTag.integer, 'RSASSA-PSS trailer')) !== 1) throw invalid('RSASSA-PSS trailer field must be 1');
  return { oid: OID.rsaPss, kind: 'RSA-PSS', hash, saltLength };
}

function integerValue(element: DerElement): number {
  if (element.value.length === 0 || element.value.length > 4 || element.value[0]! & 0x80) throw invalid('expected a small non-negative INTEGER');
  return element.value.reduce((total, byte) => total * 256 + byte, 0);
}

/** The signature algorithm an AlgorithmIdentifier names; throws for one the chain checks do not take. */
export function readSignatureAlgorithm(element: DerElement | undefined): SevSignatureAlgorithm {
  const [oidElement, parameters] = readDerChildren(expectTag(element, DerTag.sequence, 'signature algorithm'));
  const oid = decodeObjectIdentifier(expectTag(oidElement, DerTag.objectIdentifier, 'signature algorithm'));
  if (oid === OID.rsaPss) return pssAlgorithm(parameters);
  const fixed = FIXED_ALGORITHMS[oid];
  if (!fixed) throw invalid(`signature algorithm ${oid} is not RSASSA-PSS, RSASSA-PKCS1-v1_5 or ECDSA with SHA-2`);
  return { oid, ...fixed };
}

/** The content of a BIT STRING without unused bits. */
export function bitStringBytes(element: DerElement | undefined, what: string): Buffer {
  const value = expectTag(element, DerTag.bitString, what).value;
  if (value.length === 0 || value[0] !== 0) throw invalid(`${what} has unused bits`);
  return value.subarray(1);
}

function basicConstraintsCa(parsed: ParsedCertificate): boolean {
  const extension = parsed.extensions.find((item) => item.oid === CertificateOid.basicConstraints);
  if (!extension) return false;
  const [first] = readDerChildren(expectTag(readDerElement(extension.value, 0), DerTag.sequence, 'basicConstraints'));
  return first?.tag === DerTag.boolean && first.value.length === 1 && first.value[0] !== 0;
}

/** Reads a certificate of an SEV-SNP chain (`what` names it in errors: "SEV-SNP Genoa ASK"). */
export function readSevCertificate(der: Buffer, what: string): SevCertificate {
  try {
    const parsed = readCertificate(der);
    const [tbs, algorithm, signature] = readDerChildren(readDerElement(der, 0));
    const tbsFields = readDerChildren(expectTag(tbs, DerTag.sequence, 'tbsCertificate'));
    const first = tbsFields[0]?.tag === CONTEXT(0) ? 1 : 0;
    const serial = expectTag(tbsFields[first], DerTag.integer, 'serial number');
    const signatureAlgorithm = readSignatureAlgorithm(algorithm);
    if (!tbsFields[first + 1]?.bytes.equals(algorithm!.bytes)) {
      throw invalid('the signed and outer signature algorithms differ');
    }
    return {
      der, parsed, serialNumber: serialHex(serial.value).toUpperCase(), isCa: basicConstraintsCa(parsed),
      signedBytes: parsed.tbsCertificate, algorithm: signatureAlgorithm, signature: bitStringBytes(signature, 'signature'),
    };
  } catch (cause) {
    throw new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', `${what} is not a valid X.509 certificate: ${(cause as Error).message}`, { cause });
  }
}

/** An ArrayBuffer-backed copy, as WebCrypto's BufferSource wants (under the DOM lib too). */
const copy = (bytes: Uint8Array) => new Uint8Array(bytes);

/** WebCrypto's SubtleCrypto (global in Node 20 and every browser). */
function subtle(): typeof globalThis.crypto.subtle {
  const found = globalThis.crypto?.subtle;
  if (!found) throw new CocoonError('CCN_ERR_INTERNAL', 'WebCrypto (crypto.subtle) is not available here: SEV-SNP signatures cannot be checked');
  return found;
}

/** The named curve of an EC SubjectPublicKeyInfo, undefined for another key type. */
export function ecCurveOf(subjectPublicKeyInfo: Buffer): 'P-256' | 'P-384' | undefined {
  const [algorithm] = readDerChildren(readDerElement(subjectPublicKeyInfo, 0));
  const [oid, curve] = readDerChildren(expectTag(algorithm, DerTag.sequence, 'key algorithm'));
  if (decodeObjectIdentifier(expectTag(oid, DerTag.objectIdentifier, 'key algorithm')) !== OID.ecPublicKey || curve?.tag !== DerTag.objectIdentifier) return undefined;
  const name = decodeObjectIdentifier(curve);
  return name === OID.p384 ? 'P-384' : name === OID.p256 ? 'P-256' : undefined;
}

/** A DER ECDSA-Sig-Value (SEQUENCE { r, s }) as WebCrypto's r‖s of `size` bytes each; undefined when malformed. */
function ecdsaRawSignature(der: Buffer, size: number): Buffer | undefined {
  try {
    const sequence = expectTag(readDerElement(der, 0), DerTag.sequence, 'ECDSA signature');
    const parts = readDerChildren(sequence);
    if (sequence.bytes.length !== der.length || parts.length !== 2) return undefined;
    const fixed = parts.map((part) => {
      const value = expectTag(part, DerTag.integer, 'ECDSA signature component').value;
      const trimmed = value.length > 1 && value[0] === 0 ? value.subarray(1) : value;
      if (trimmed.length > size || value[0]! & 0x80) throw invalid('ECDSA signature component out of range');
      return Buffer.concat([Buffer.alloc(size - trimmed.length), trimmed]);
    });
    return Buffer.concat(fixed);
  } catch {
    return undefined;
  }
}

/** Whether `signed` verifies under the issuer's SubjectPublicKeyInfo (false for a key of the wrong type). */
export async function verifySevSignature(signed: SevSignedObject, issuerPublicKeyInfo: Buffer): Promise<boolean> {
  const { algorithm } = signed;
  try {
    if (algorithm.kind === 'ECDSA') {
      const curve = ecCurveOf(issuerPublicKeyInfo);
      if (!curve) return false;
      const raw = ecdsaRawSignature(signed.signature, curve === 'P-384' ? 48 : 32);
      if (!raw) return false;
      const key = await subtle().importKey('spki', copy(issuerPublicKeyInfo), { name: 'ECDSA', namedCurve: curve }, false, ['verify']);
      return await subtle().verify({ name: 'ECDSA', hash: algorithm.hash }, key, copy(raw), copy(signed.signedBytes));
    }
    const key = await subtle().importKey('spki', copy(issuerPublicKeyInfo), { name: algorithm.kind, hash: algorithm.hash }, false, ['verify']);
    const parameters = algorithm.kind === 'RSA-PSS' ? { name: 'RSA-PSS', saltLength: algorithm.saltLength ?? 20 } : { name: algorithm.kind };
    return await subtle().verify(parameters, key, copy(signed.signature), copy(signed.signedBytes));
  } catch {
    return false; // a key WebCrypto will not import for this algorithm cannot have made the signature
  }
}

/** Whether a report's r‖s signature (ECDSA P-384, SHA-384) over its signed bytes verifies under a VCEK key. */
export async function verifyReportSignature(vcekPublicKeyInfo: Buffer, signedBytes: Buffer, signature: Buffer): Promise<boolean> {
  if (ecCurveOf(vcekPublicKeyInfo) !== 'P-384' || signature.length !== 96) return false;
  try {
    const key = await subtle().importKey('spki', copy(vcekPublicKeyInfo), { name: 'ECDSA', namedCurve: 'P-384' }, false, ['verify']);
    return await subtle().verify({ name: 'ECDSA', hash: 'SHA-384' }, key, copy(signature), copy(signedBytes));
  } catch {
    return false;
  }
}
