/**
 * Who vouches for a TDX quote: the root a DcapQuoteVerifier pins — Intel's SGX Root CA (dcap-qvl's
 * pinned DER) or a simulated-TDX dev root (test networks only) — named with the SHA-256 of its DER, so
 * a verdict says which root it rests on (`Intel SGX Root CA sha256:0123456789abcdef`). Browser-safe.
 */
import { constants as dcapConstants } from '@phala/dcap-qvl';
import { sha256 } from '@noble/hashes/sha2.js';

export interface AttestationAuthority {
  readonly kind: 'intel' | 'dev';
  readonly name: string;
  /** SHA-256 (hex) of the root certificate's DER. */
  readonly sha256: string;
}

export const INTEL_AUTHORITY_NAME = 'Intel SGX Root CA';
export const DEV_AUTHORITY_NAME = 'COCOON dev authority (test network)';

/** dcap-qvl's pinned Intel SGX Root CA (DER). */
export const INTEL_ROOT_CA_DER: Buffer = Buffer.from(dcapConstants.TRUSTED_ROOT_CA_DER);

const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The authority of a pinned TDX root: 'intel' when it is Intel's pinned root, 'dev' otherwise. */
export function tdxAttestationAuthority(rootDer: Uint8Array): AttestationAuthority {
  const isIntel = Buffer.from(rootDer).equals(INTEL_ROOT_CA_DER);
  return { kind: isIntel ? 'intel' : 'dev', name: isIntel ? INTEL_AUTHORITY_NAME : DEV_AUTHORITY_NAME, sha256: hexOf(sha256(rootDer)) };
}

/** `${name} sha256:${first 16 hex}` — what VerifiedE2eKey.authority carries. */
export function formatAttestationAuthority(authority: AttestationAuthority): string {
  return `${authority.name} sha256:${authority.sha256.slice(0, 16)}`;
}
