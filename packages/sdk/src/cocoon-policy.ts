/**
 * What an app trusts (`CocoonPolicy`) and the evidence verifiers built from it: the portable verifier
 * of `@cocoon/attestation/browser` (DCAP quotes under the pinned root — Intel's, or a dev network's
 * root certificate — with collateral relayed by the client runner; SEV-SNP reports under AMD's pinned
 * ARKs, or a dev network's SEV-SNP ARK, with the chain and CRL relayed by it too; the runner cannot make
 * forged evidence pass), one per root allow-list. The allow-lists (`worker_hashes`, `model_hashes`) are the runner's
 * word: it reads them from the root contract and lists them as the listing's `trust`; when it says
 * `hashes_checked`, the image and model of every worker are checked against them (`checkHashes`,
 * default true); an app may pin its own lists instead (`hashes`). The evidence itself is never taken
 * on the runner's word.
 */
import { CocoonError, fromBase64OrUndefined } from '@cocoon/protocol/browser';
import type { E2eEvidenceVerifier } from '@cocoon/protocol/browser';
import { createPortableE2eEvidenceVerifier } from '@cocoon/attestation/browser';
import type { AttestationAuthority, CollateralSource, SevPkiSource, TcbPolicy } from '@cocoon/attestation/browser';
import type { E2eWorkersTrust } from './e2e-workers-listing.ts';

export interface CocoonPolicy {
  /**
   * The root quotes must chain to: 'intel' (default; Intel's SGX root CA, pinned in the verifier), or a
   * dev network's root certificate (DER bytes, base64 of them, or its PEM text; `cocoon dev` keeps it
   * in .cocoon/dev/attestation/root-ca.pem). A dev root needs `networkIsTest: true`. Its SEV-SNP workers
   * verify under `devSevArkDer`, the dev authority's SEV-SNP ARK certificate (same forms; `cocoon dev` keeps
   * it in .cocoon/dev/attestation/sev-ark.pem); without it they are refused. Under 'intel', SEV-SNP workers
   * verify under AMD's ARKs, pinned in the verifier.
   */
  trust?: 'intel' | { devRootDer: Uint8Array | string; devSevArkDer?: Uint8Array | string };
  /** Whether this is a test network (dev roots and fake TDX are accepted only then); default false. */
  networkIsTest?: boolean;
  /** Check images and models against the root's allow-lists when the runner says it checks them (default true). */
  checkHashes?: boolean;
  /**
   * The allow-lists to check against instead of the runner's word (hex SHA-256 image hashes and model
   * hashes, e.g. read from the root contract by the app's own backend or pinned in the app); checked always.
   */
  hashes?: { workerHashes: readonly string[]; modelHashes: readonly string[] };
  /** cocoonFetch only: false lets a request go in clear when the runner lists no end-to-end worker (default true). */
  requireE2e?: boolean;
  /** The TCB statuses accepted (the verifier's default otherwise). */
  tcbPolicy?: TcbPolicy;
}

/** Who vouched for the verified workers: the pinned root, or an injected verifier that does not say. */
export type CocoonAuthority = AttestationAuthority | { kind: 'custom'; name: string; sha256: string };

export const INJECTED_VERIFIER_AUTHORITY: CocoonAuthority = { kind: 'custom', name: 'the injected verifier', sha256: '' };

/** An evidence verifier with the authority it checks against (when it knows it). */
export type AuthorityEvidenceVerifier = E2eEvidenceVerifier & { readonly authority?: CocoonAuthority };

/** DER bytes of a root certificate given as bytes, base64 or PEM; throws CCN_ERR_CONFIG_INVALID naming `field`. */
export function rootCertificateDer(value: Uint8Array | string, field = 'devRootDer'): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length === 0) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `policy.trust.${field} is empty`);
    return value;
  }
  const body = value.includes('-----BEGIN') ? value.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '') : value;
  const der = fromBase64OrUndefined(body.replace(/\s+/g, ''));
  if (!der || der.length === 0 || der[0] !== 0x30) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `policy.trust.${field} must be the root certificate: DER bytes, their base64, or PEM`);
  return der;
}

/** The portable verifier's trust of a policy. */
function verifierTrust(trust: CocoonPolicy['trust']): 'intel' | { devRootDer: Uint8Array; devSevArkDer?: Uint8Array } {
  if (trust === undefined || trust === 'intel') return 'intel';
  const devRootDer = rootCertificateDer(trust.devRootDer);
  return trust.devSevArkDer === undefined ? { devRootDer } : { devRootDer, devSevArkDer: rootCertificateDer(trust.devSevArkDer, 'devSevArkDer') };
}

/** The allow-lists a verifier checks, from the listing's trust (undefined: unchecked). */
export function policyHashes(policy: CocoonPolicy, trust: E2eWorkersTrust | undefined): { workerHashes: readonly string[]; modelHashes: readonly string[] } | undefined {
  if (policy.hashes) return policy.hashes;
  if (policy.checkHashes === false || trust?.hashes_checked !== true) return undefined;
  return { workerHashes: trust.worker_hashes, modelHashes: trust.model_hashes };
}

/**
 * Why a production policy refuses a listing without allow-lists (undefined when it does not): under Intel's
 * root any TDX VM's quote verifies, whatever image it runs, so the image check against the root's
 * `worker_hashes` is what makes an attested worker a COCOON worker. A runner that says it checks no hashes
 * (or a relay that drops them) must not turn that check off silently: a production policy then needs pinned
 * `hashes` or an explicit `checkHashes: false`. Test networks (`networkIsTest`) may run without allow-lists.
 */
export function missingAllowListsError(policy: CocoonPolicy, trust: E2eWorkersTrust | undefined): CocoonError | undefined {
  if (policy.networkIsTest === true || policy.checkHashes === false || policy.hashes !== undefined || trust?.hashes_checked === true) return undefined;
  return new CocoonError('CCN_ERR_E2E_EVIDENCE_INVALID', "worker e2e evidence refused: the client runner lists no root allow-lists (worker_hashes, model_hashes) and this policy trusts a production root, where any attested VM image would pass; pin policy.hashes, or set policy.checkHashes: false to accept any attested image");
}

/** The cache key of the verifier for a listing's trust. */
export function hashesKey(hashes: { workerHashes: readonly string[]; modelHashes: readonly string[] } | undefined): string {
  return hashes ? `${[...hashes.workerHashes].sort().join(',')};${[...hashes.modelHashes].sort().join(',')}` : 'unchecked';
}

/** The portable verifier of `policy` with these allow-lists (SEV-SNP evidence is refused without `sevSnpChains`). */
export function createPolicyVerifier(
  policy: CocoonPolicy, collateral: CollateralSource, hashes: { workerHashes: readonly string[]; modelHashes: readonly string[] } | undefined, sevSnpChains?: SevPkiSource,
): AuthorityEvidenceVerifier {
  return createPortableE2eEvidenceVerifier({
    trust: verifierTrust(policy.trust), collateral, ...(sevSnpChains ? { sevSnpChains } : {}), networkIsTest: policy.networkIsTest === true,
    ...(hashes ? { hashes } : {}), ...(policy.tcbPolicy ? { tcbPolicy: policy.tcbPolicy } : {}),
  });
}

/** Checks a policy's shape up front (a bad dev root is a clear error at createCocoon, not at the first request). */
export function checkPolicy(policy: CocoonPolicy): void {
  if (typeof policy !== 'object' || policy === null) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'policy must be an object');
  const trust = policy.trust;
  if (trust !== undefined && trust !== 'intel') {
    if (typeof trust !== 'object' || trust === null || !('devRootDer' in trust)) throw new CocoonError('CCN_ERR_CONFIG_INVALID', "policy.trust must be 'intel' or { devRootDer }");
    rootCertificateDer(trust.devRootDer);
    if (trust.devSevArkDer !== undefined) rootCertificateDer(trust.devSevArkDer, 'devSevArkDer');
    if (policy.networkIsTest !== true) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'a dev root (policy.trust.devRootDer) is trusted on a test network only: set policy.networkIsTest: true (never for a production network)');
  }
  const hashes = policy.hashes;
  if (hashes !== undefined) {
    const hexList = (list: unknown): boolean => Array.isArray(list) && list.every((item) => typeof item === 'string' && /^[0-9a-fA-F]{64}$/.test(item));
    if (typeof hashes !== 'object' || hashes === null || !hexList(hashes.workerHashes) || !hexList(hashes.modelHashes)) {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'policy.hashes must be { workerHashes, modelHashes }, lists of 64 hex digits');
    }
  }
}
