/**
 * "Crypto-only" TDX quote verification, without collateral (dependency-notes §3): the embedded PCK
 * chain leads to the pinned Intel SGX Root CA, the PCK key signs the QE report, the QE report data
 * binds the attestation key, and the attestation key signs the quote header + TD report. Proves a
 * genuine Intel TDX platform produced these measurements; says nothing about TCB status or revocation.
 */
import { createHash, createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { constants as dcapConstants, utils } from '@phala/dcap-qvl';
import { CocoonError } from '@cocoon/protocol';
import type { VerifiedQuote } from '../verifier/peer-verifier.ts';
import { decodeTdxQuote, embeddedPckChain } from './tdx-quote-parser.ts';

/** TCB status reported when no collateral was used. */
export const SIGNATURE_ONLY_TCB_STATUS = 'Unknown (no collateral)';
const ATTESTATION_KEY_TYPE_ECDSA_P256 = 2;
const QE_REPORT_DATA_OFFSET = 320;

export interface SignatureOnlyVerifiedQuote extends VerifiedQuote {
  /** Platform FMSPC from the PCK certificate (upper-case hex). */
  readonly fmspc: string | undefined;
}

const invalid = (message: string, cause?: unknown): CocoonError =>
  new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', message, cause === undefined ? {} : { cause });

/** ECDSA P-256 / SHA-256 with a raw r‖s signature, as in quotes. */
function verifyP256(data: Uint8Array, key: KeyObject, rawSignature: Uint8Array): boolean {
  return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, rawSignature);
}

export function verifyQuoteSignatureOnly(
  quote: Buffer,
  now: Date,
  trustedRootDer: Buffer = dcapConstants.TRUSTED_ROOT_CA_DER,
): SignatureOnlyVerifiedQuote {
  const { parsed, quote: decoded } = decodeTdxQuote(quote);
  if (parsed.attestationKeyType !== ATTESTATION_KEY_TYPE_ECDSA_P256) {
    throw invalid(`unsupported attestation key type ${parsed.attestationKeyType} (expected 2, ECDSA P-256)`);
  }
  const chain = embeddedPckChain(decoded);
  if (!chain) throw invalid(`quote does not embed its PCK certificate chain (certification data type ${parsed.certificationDataType}, expected 5)`);
  const [leaf, ...intermediates] = chain;
  if (!leaf || intermediates.length === 0) throw invalid('PCK certificate chain in the quote is too short');
  try {
    utils.verifyCertificateChain(leaf, intermediates, Math.floor(now.getTime() / 1000), [], trustedRootDer);
  } catch (error) {
    throw invalid(`PCK certificate chain does not lead to the trusted root CA: ${(error as Error).message}`, error);
  }
  const auth = decoded.authData.intoV3();
  if (!verifyP256(auth.qeReport, new X509Certificate(leaf).publicKey, auth.qeReportSignature)) {
    throw invalid('QE report signature does not verify with the PCK certificate key');
  }
  const binding = createHash('sha256').update(auth.ecdsaAttestationKey).update(auth.qeAuthData).digest();
  if (!binding.equals(Buffer.from(auth.qeReport.subarray(QE_REPORT_DATA_OFFSET, QE_REPORT_DATA_OFFSET + 32)))) {
    throw invalid('QE report data does not bind the attestation key (SHA-256 of key and QE auth data mismatch)');
  }
  const attestationKey = createPublicKey({
    key: {
      kty: 'EC', crv: 'P-256',
      x: Buffer.from(auth.ecdsaAttestationKey.subarray(0, 32)).toString('base64url'),
      y: Buffer.from(auth.ecdsaAttestationKey.subarray(32, 64)).toString('base64url'),
    },
    format: 'jwk',
  });
  if (!verifyP256(quote.subarray(0, parsed.signedLength), attestationKey, auth.ecdsaSignature)) {
    throw invalid('quote signature does not verify with its attestation key (header or TD report altered)');
  }
  if (parsed.tdAttributes[0] !== 0) throw invalid('TD runs in debug mode (TDATTRIBUTES.TUD set)');
  return { measurements: parsed.measurements, tcbStatus: SIGNATURE_ONLY_TCB_STATUS, advisoryIds: [], fmspc: parsed.fmspc };
}
