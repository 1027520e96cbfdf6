/**
 * An ARK's certificate revocation list (RFC 5280 CertificateList), read with our strict DER reader:
 * the signed part, its issuer name (DER), thisUpdate / nextUpdate and the revoked serial numbers.
 * Given as DER or one PEM "X509 CRL" block. Browser-safe; the signature is checked by
 * verifySevSignature (sev-certificate.ts) under the ARK's key.
 */
import { CocoonError } from '@cocoon/protocol/browser';
import { DerTag, decodeTime, expectTag, readDerChildren, readDerElement } from '../certificate/der-reader.ts';
import { bitStringBytes, readSignatureAlgorithm, serialHex, type SevSignedObject } from './sev-certificate.ts';

export interface SevCrl extends SevSignedObject {
  /** The issuer Name as DER (compared byte for byte with the ARK's subject). */
  readonly issuer: Buffer;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  /** Revoked serial numbers, lower-case hex without leading zero bytes. */
  readonly revokedSerials: ReadonlySet<string>;
}

const crlError = (message: string): CocoonError => new CocoonError('CCN_ERR_ATTEST_COLLATERAL', message);
const CRL_EXTENSIONS = 0xa0;

/** DER of a CRL given as DER or PEM text/bytes. */
export function crlDer(crl: Uint8Array | string): Buffer {
  const bytes = typeof crl === 'string' ? undefined : Buffer.from(crl.buffer, crl.byteOffset, crl.byteLength);
  const text = typeof crl === 'string' ? crl : bytes!.subarray(0, 32).toString('latin1').includes('-----BEGIN') ? bytes!.toString('latin1') : undefined;
  if (text === undefined) return Buffer.from(bytes!);
  const match = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(text);
  if (!match) throw crlError('SEV-SNP CRL PEM holds no X509 CRL block');
  return Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64');
}

/** Parses a CRL; throws CCN_ERR_ATTEST_COLLATERAL naming `what` when it is not one. */
export function readSevCrl(crl: Uint8Array | string, what: string): SevCrl {
  const der = crlDer(crl);
  try {
    const outer = expectTag(readDerElement(der, 0), DerTag.sequence, 'CertificateList');
    if (outer.bytes.length !== der.length) throw new Error('trailing bytes after the CRL');
    const [tbs, algorithm, signature, ...extra] = readDerChildren(outer);
    if (extra.length > 0) throw new Error('extra fields after the signature');
    const fields = readDerChildren(expectTag(tbs, DerTag.sequence, 'tbsCertList'));
    let index = fields[0]?.tag === DerTag.integer ? 1 : 0;
    const innerAlgorithm = expectTag(fields[index++], DerTag.sequence, 'tbsCertList signature');
    if (!innerAlgorithm.bytes.equals(algorithm?.bytes ?? Buffer.alloc(0))) throw new Error('the signed and outer signature algorithms differ');
    const issuer = expectTag(fields[index++], DerTag.sequence, 'issuer');
    const thisUpdate = decodeTime(fields[index++]);
    let nextUpdate: Date | undefined;
    const next = fields[index];
    if (next && (next.tag === DerTag.utcTime || next.tag === DerTag.generalizedTime)) {
      nextUpdate = decodeTime(next);
      index++;
    }
    const revokedSerials = new Set<string>();
    if (fields[index]?.tag === DerTag.sequence) {
      for (const entry of readDerChildren(fields[index++]!)) {
        const [serial] = readDerChildren(expectTag(entry, DerTag.sequence, 'revoked certificate'));
        revokedSerials.add(serialHex(expectTag(serial, DerTag.integer, 'revoked serial number').value));
      }
    }
    if (fields[index]?.tag === CRL_EXTENSIONS) index++;
    if (index !== fields.length) throw new Error('unexpected fields in tbsCertList');
    return {
      signedBytes: tbs!.bytes, algorithm: readSignatureAlgorithm(algorithm), signature: bitStringBytes(signature, 'CRL signature'),
      issuer: issuer.bytes, thisUpdate, nextUpdate, revokedSerials,
    };
  } catch (cause) {
    throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `${what} is not a valid DER CRL: ${(cause as Error).message}`, { cause });
  }
}
