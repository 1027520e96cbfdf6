/**
 * The e2e evidence verifier that runs anywhere — a browser, the SDK, Node — with the checks of the
 * runners' verifier and the same modules: the RA-TLS certificate (Ed25519, self-signed, in its window),
 * its TDX quote verified by DCAP (dcap-qvl) under one pinned root — Intel's SGX Root CA, or a
 * simulated-TDX dev root refused unless the root contract says is_test — with collateral from a
 * CollateralSource (the SDK: the relay's `POST /v1/e2e/collateral`; it is signed under the root, so a
 * lying relay can only make verification fail), the quote bound to the certificate key, the key set
 * signed by that key, the image hash in worker_hashes and each key's model in model_hashes when hashes
 * are given. SEV-SNP evidence is refused here (its AMD chain and CRL have no browser source); the Node
 * verifier checks it. Browser-safe.
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
import { QuotePolicyVerifier } from '../verifier/quote-policy-verifier.ts';
import { TeePolicyVerifier } from '../verifier/tee-policy-verifier.ts';
import { AttestedE2eEvidenceVerifier, type AttestedE2eEvidenceVerifierOptions } from './attested-e2e-evidence-verifier.ts';

export interface PortableE2eVerifierOptions {
  /** 'intel' = dcap-qvl's pinned Intel SGX Root CA; devRootDer = a simulated-TDX dev root (test networks only). */
  trust: 'intel' | { devRootDer: Uint8Array };
  /** Collateral for each quote (SDK: from the relay); its signatures are checked under the trusted root. */
  collateral: CollateralSource;
  /** The root contract's is_test: dev trust is refused unless true. */
  networkIsTest: boolean;
  /** Root allow-lists (hex); undefined = unchecked. */
  hashes?: { workerHashes: readonly string[]; modelHashes: readonly string[] };
  /** Acceptable TCB statuses / advisories; default only 'UpToDate'. */
  tcbPolicy?: TcbPolicy;
  /** Verified evidence kept (default 256). */
  maxCachedEntries?: number;
}

export const SEV_SNP_NOT_PORTABLE = 'the portable (browser) verifier checks TDX quotes only: SEV-SNP evidence needs the AMD certificate chain and CRL, which only the Node verifier fetches';

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

/** Throws CCN_ERR_CONFIG_INVALID for a bad trust, dev trust off a test network, or malformed hashes. */
export function createPortableE2eEvidenceVerifier(options: PortableE2eVerifierOptions): E2eEvidenceVerifier & { readonly authority: AttestationAuthority } {
  const trustedRootDer = trustedRootOf(options);
  if (typeof options.collateral?.get !== 'function') {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'a collateral source (get(quote, now) → DCAP collateral) is required', { param: 'collateral' });
  }
  const quoteVerifier = new DcapQuoteVerifier({ collateral: options.collateral, trustedRootDer, ...(options.tcbPolicy ? { tcbPolicy: options.tcbPolicy } : {}) });
  const peerVerifier = new TeePolicyVerifier(new QuotePolicyVerifier('tdx', quoteVerifier), undefined, SEV_SNP_NOT_PORTABLE);
  const hashes = options.hashes
    ? RootHashPolicy.fixed(allowedHashes({ workerHashes: options.hashes.workerHashes, modelHashes: options.hashes.modelHashes }))
    : undefined;
  return new PortableE2eEvidenceVerifier(tdxAttestationAuthority(trustedRootDer), {
    peerVerifier,
    ...(hashes ? { hashes } : {}),
    ...(options.maxCachedEntries !== undefined ? { maxCachedEntries: options.maxCachedEntries } : {}),
  });
}
