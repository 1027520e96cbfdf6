/**
 * The e2e evidence verifier that runs anywhere — a browser, the SDK, Node — with the checks of the
 * runners' verifier and the same modules: the RA-TLS certificate (Ed25519, self-signed, in its window),
 * its TDX quote verified by DCAP (dcap-qvl) under one pinned root — Intel's SGX Root CA, or a
 * simulated-TDX dev root refused unless the root contract says is_test — with collateral from a
 * CollateralSource (the SDK: the relay's `POST /v1/e2e/collateral`; it is signed under the root, so a
 * lying relay can only make verification fail), the quote bound to the certificate key, the key set
 * signed by that key, the image hash in worker_hashes and each key's model in model_hashes when hashes
 * are given. SEV-SNP evidence gets the runners' checks too (SevSnpPolicyVerifier, SevSnpReportVerifier):
 * the report signed by its VCEK, the VCEK by the ASK, the ASK and the CRL by an ARK pinned by SHA-256 —
 * AMD's (AMD_ARK_SHA256) under 'intel' trust, the dev authority's (`devSevArkDer`) under dev trust —
 * with the chain and CRL from `sevSnpChains` (the SDK: the relay's `POST /v1/e2e/collateral?tee=sev-snp`,
 * which can only make verification fail); without that source, SEV-SNP evidence is refused. Browser-safe.
 */
import { CocoonError } from '@cocoon/protocol/browser';
import type { E2eEvidenceVerifier } from '@cocoon/protocol/browser';
import type { CollateralSource } from '../dcap/collateral-source.ts';
import { INTEL_ROOT_CA_DER, tdxAttestationAuthority, type AttestationAuthority } from '../dcap/attestation-authority.ts';
import { DcapQuoteVerifier } from '../dcap/dcap-quote-verifier.ts';
import type { TcbPolicy } from '../dcap/tcb-policy.ts';
import { allowedHashes } from '../policy/allowed-hashes.ts';
import { refuseOnProductionNetwork } from '../policy/production-network-guard.ts';
import { RootHashPolicy } from '../policy/root-hash-policy.ts';
import type { SevPkiSource } from '../sev-snp/amd-kds-client.ts';
import { AMD_ARK_SHA256 } from '../sev-snp/amd-roots.ts';
import { SevPkiCache } from '../sev-snp/sev-pki-cache.ts';
import { SevSnpReportVerifier } from '../sev-snp/sev-snp-report-verifier.ts';
import { sha256Hex, type SevRootPins } from '../sev-snp/sev-trust-chain.ts';
import { SEV_PRODUCTS } from '../sev-snp/vcek-certificate.ts';
import { QuotePolicyVerifier } from '../verifier/quote-policy-verifier.ts';
import { SevSnpPolicyVerifier } from '../verifier/sev-snp-policy-verifier.ts';
import { TeePolicyVerifier } from '../verifier/tee-policy-verifier.ts';
import { AttestedE2eEvidenceVerifier, type AttestedE2eEvidenceVerifierOptions } from './attested-e2e-evidence-verifier.ts';

export interface PortableE2eVerifierOptions {
  /**
   * 'intel' = dcap-qvl's pinned Intel SGX Root CA for TDX and AMD's pinned ARKs (AMD_ARK_SHA256) for SEV-SNP;
   * devRootDer = a simulated-TDX dev root, devSevArkDer = the dev authority's SEV-SNP ARK (test networks only;
   * without it SEV-SNP evidence is refused under dev trust).
   */
  trust: 'intel' | { devRootDer: Uint8Array; devSevArkDer?: Uint8Array };
  /** Collateral for each quote (SDK: from the relay); its signatures are checked under the trusted root. */
  collateral: CollateralSource;
  /** SEV-SNP ARK + ASK and the ARK's CRL per product (SDK: from the relay); checked under the pinned ARK. Absent: SEV-SNP evidence refused. */
  sevSnpChains?: SevPkiSource;
  /** The root contract's is_test: dev trust is refused unless true. */
  networkIsTest: boolean;
  /** Root allow-lists (hex); undefined = unchecked. */
  hashes?: { workerHashes: readonly string[]; modelHashes: readonly string[] };
  /** Acceptable TCB statuses / advisories; default only 'UpToDate'. */
  tcbPolicy?: TcbPolicy;
  /** Verified evidence kept (default 256). */
  maxCachedEntries?: number;
}

/** Why SEV-SNP evidence is refused when the verifier has no chain source. */
export const SEV_SNP_NOT_PORTABLE = 'this verifier has no source of SEV-SNP certificate chains and CRLs (sevSnpChains), so it checks TDX quotes only';
/** Why SEV-SNP evidence is refused under a dev trust without the dev ARK. */
export const SEV_SNP_NO_DEV_ARK = 'the dev trust names no SEV-SNP ARK (trust.devSevArkDer), so SEV-SNP workers of this network cannot be verified';

/** AttestedE2eEvidenceVerifier with the root it trusts. */
export class PortableE2eEvidenceVerifier extends AttestedE2eEvidenceVerifier {
  constructor(readonly authority: AttestationAuthority, options: AttestedE2eEvidenceVerifierOptions) {
    super(options);
  }
}

function trustedRootOf(options: PortableE2eVerifierOptions): Buffer {
  const { trust } = options;
  if (trust === 'intel') return INTEL_ROOT_CA_DER;
  if (typeof trust !== 'object' || trust === null || !(trust.devRootDer instanceof Uint8Array) || trust.devRootDer.length === 0) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', "trust must be 'intel' or { devRootDer: <the dev root certificate's DER bytes> }", { param: 'trust' });
  }
  refuseOnProductionNetwork(options.networkIsTest, 'dev attestation trust (simulated TDX dev root)');
  return Buffer.from(trust.devRootDer);
}

function derOption(value: unknown, param: string, what: string): Buffer {
  if (!(value instanceof Uint8Array) || value.length === 0 || value[0] !== 0x30) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `${param} must be ${what} (DER bytes)`, { param });
  }
  return Buffer.from(value);
}

/** The ARK pins of the trust: AMD's, or the dev ARK for every product (the pin is the trust, not the product name). */
function sevRootPinsOf(options: PortableE2eVerifierOptions): { pins: SevRootPins; trustName: string } | undefined {
  const { trust } = options;
  if (trust === 'intel') return { pins: AMD_ARK_SHA256, trustName: 'AMD' };
  if (trust.devSevArkDer === undefined) return undefined;
  const pin = sha256Hex(derOption(trust.devSevArkDer, 'trust.devSevArkDer', "the dev authority's SEV-SNP ARK certificate"));
  return { pins: Object.fromEntries(SEV_PRODUCTS.map((product) => [product, pin])), trustName: 'dev' };
}

function sevSnpVerifierOf(options: PortableE2eVerifierOptions): { verifier: SevSnpPolicyVerifier | undefined; unavailable: string } {
  const roots = sevRootPinsOf(options);
  if (options.sevSnpChains !== undefined && typeof options.sevSnpChains?.chain !== 'function') {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'sevSnpChains must be a source with chain(product, now) → the SEV-SNP chain and CRL', { param: 'sevSnpChains' });
  }
  if (!roots) return { verifier: undefined, unavailable: SEV_SNP_NO_DEV_ARK };
  if (!options.sevSnpChains) return { verifier: undefined, unavailable: SEV_SNP_NOT_PORTABLE };
  const chains = new SevPkiCache({ source: options.sevSnpChains, pins: roots.pins, trustName: roots.trustName });
  return { verifier: new SevSnpPolicyVerifier('tdx', new SevSnpReportVerifier({ chains, cacheSize: options.maxCachedEntries ?? 256 })), unavailable: '' };
}

/** Throws CCN_ERR_CONFIG_INVALID for a bad trust, dev trust off a test network, or malformed hashes. */
export function createPortableE2eEvidenceVerifier(options: PortableE2eVerifierOptions): E2eEvidenceVerifier & { readonly authority: AttestationAuthority } {
  const trustedRootDer = trustedRootOf(options);
  if (typeof options.collateral?.get !== 'function') {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'a collateral source (get(quote, now) → DCAP collateral) is required', { param: 'collateral' });
  }
  const quoteVerifier = new DcapQuoteVerifier({ collateral: options.collateral, trustedRootDer, ...(options.tcbPolicy ? { tcbPolicy: options.tcbPolicy } : {}) });
  const sevSnp = sevSnpVerifierOf(options);
  const peerVerifier = new TeePolicyVerifier(new QuotePolicyVerifier('tdx', quoteVerifier), sevSnp.verifier, sevSnp.unavailable);
  const hashes = options.hashes
    ? RootHashPolicy.fixed(allowedHashes({ workerHashes: options.hashes.workerHashes, modelHashes: options.hashes.modelHashes }))
    : undefined;
  return new PortableE2eEvidenceVerifier(tdxAttestationAuthority(trustedRootDer), {
    peerVerifier,
    ...(hashes ? { hashes } : {}),
    ...(options.maxCachedEntries !== undefined ? { maxCachedEntries: options.maxCachedEntries } : {}),
  });
}
