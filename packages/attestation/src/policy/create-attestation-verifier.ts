/**
 * Builds the PeerVerifier of one connection from the node's attestation settings and the root
 * contract: policy any / fake_tdx / tdx, the trust anchor of tdx (Intel for TDX quotes and AMD for
 * SEV-SNP reports, or a dev authority on a test network), then the root-contract hash check of the
 * expected peer role. Policy tdx accepts TDX and SEV-SNP peers (the reference's `tee`). Rule: a test/dev
 * mode is explicit, loudly logged, and can never be enabled by runtime config of a production
 * network — fake_tdx, dev trust and SEV-SNP debug guests are refused unless the ROOT CONTRACT says is_test.
 */
import { CocoonError } from '@cocoon/protocol';
import type { CollateralSource } from '../dcap/collateral-source.ts';
import { StaticCollateralSource } from '../dcap/collateral-source.ts';
import type { DcapCollateral } from '../dcap/dcap-collateral.ts';
import { DcapQuoteVerifier } from '../dcap/dcap-quote-verifier.ts';
import type { TcbPolicy } from '../dcap/tcb-policy.ts';
import { AMD_ARK_SHA256 } from '../sev-snp/amd-roots.ts';
import { AmdKdsClient, type SevPkiSource } from '../sev-snp/amd-kds-client.ts';
import { SevPkiCache } from '../sev-snp/sev-pki-cache.ts';
import { SevSnpReportVerifier } from '../sev-snp/sev-snp-report-verifier.ts';
import type { SevRootPins } from '../sev-snp/sev-trust-chain.ts';
import { AnyPolicyVerifier } from '../verifier/any-policy-verifier.ts';
import { FakeTdxPolicyVerifier } from '../verifier/fake-tdx-policy-verifier.ts';
import type { AttestationPolicy, PeerAttestation, PeerCertificateInput, PeerVerifier, QuoteVerifier } from '../verifier/peer-verifier.ts';
import { QuotePolicyVerifier } from '../verifier/quote-policy-verifier.ts';
import { SevSnpPolicyVerifier, type SevSnpPolicyOptions } from '../verifier/sev-snp-policy-verifier.ts';
import { TeePolicyVerifier } from '../verifier/tee-policy-verifier.ts';
import { refuseOnProductionNetwork } from './production-network-guard.ts';
import type { AttestedRole, RootHashPolicy } from './root-hash-policy.ts';

/** The root of trust and collateral of a dev network (a DevAttestationAuthority fits). */
export interface DevAuthorityTrust {
  readonly rootCertificateDer: Buffer;
  readonly collateral: DcapCollateral;
  /** The dev SEV-SNP chain (pinned dev ARK and its recorded chain + CRL); absent = SEV-SNP peers refused. */
  readonly sevSnp?: { readonly pins: SevRootPins; readonly source: SevPkiSource };
}

/** 'intel': Intel's pinned SGX root CA; devAuthority: a simulated-TDX dev root (test networks only). */
export type AttestationTrust = 'intel' | { readonly devAuthority: DevAuthorityTrust };

export interface AttestationWarningLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface AttestationVerifierOptions {
  policy: AttestationPolicy;
  /** Role the peer must have in the root contract (proxy_hashes / worker_hashes); checked when `hashes` is set. */
  expectedRole?: AttestedRole;
  /** Root-contract allow-lists, checked after the quote verifies. */
  hashes?: RootHashPolicy;
  /** The tdx quote verifier (shared, so its cache survives); built from `trust` when absent. */
  quoteVerifier?: QuoteVerifier;
  /** Trust anchor of the tdx policy; default 'intel'. */
  trust?: AttestationTrust;
  /** Collateral for tdx under Intel trust (normally a CollateralStore); needed unless quoteVerifier is given. */
  collateral?: CollateralSource;
  tcbPolicy?: TcbPolicy;
  /** The SEV-SNP report verifier (shared, so its caches survive); built from `trust` when absent. */
  sevSnpVerifier?: SevSnpReportVerifier;
  /** Where SEV-SNP chains and CRLs come from under vendor trust; default AMD KDS (fetched only when an SEV-SNP peer shows up). */
  sevSnpPki?: SevPkiSource;
  /** SEV-SNP allow-lists (empty = any) and the debug-guest exception (refused unless is_test). */
  sevSnpPolicy?: SevSnpPolicyOptions;
  /** The root contract's is_test — never a runtime config value. */
  networkIsTest: boolean;
  /** Receives the loud dev-mode warning (default: stderr). */
  logger?: AttestationWarningLogger;
}

export const DEV_ATTESTATION_WARNING = 'DEV ATTESTATION: quotes signed by a dev root, not Intel — this network is a test network';
export const FAKE_TDX_WARNING = 'FAKE TDX ATTESTATION: peers are not attested at all (fake_tdx) — this network is a test network';

const stderrLogger: AttestationWarningLogger = { warn: (message) => void process.stderr.write(`WARNING ${message}\n`) };
const warned = new WeakMap<AttestationWarningLogger, Set<string>>();

function warnOnce(logger: AttestationWarningLogger, message: string): void {
  const seen = warned.get(logger) ?? new Set<string>();
  warned.set(logger, seen);
  if (seen.has(message)) return;
  seen.add(message);
  logger.warn(message);
}


/** DcapQuoteVerifier pinned to a dev authority's root, with its static collateral. */
export function devQuoteVerifier(authority: DevAuthorityTrust, tcbPolicy?: TcbPolicy): DcapQuoteVerifier {
  return new DcapQuoteVerifier({ collateral: new StaticCollateralSource(authority.collateral), trustedRootDer: authority.rootCertificateDer, tcbPolicy });
}

/**
 * The SEV-SNP report verifier of a trust: AMD's pinned ARKs with chains and CRLs from `pki`
 * (default AMD KDS), or the dev authority's SEV-SNP chain; undefined when the dev authority has none.
 */
export function createSevSnpReportVerifier(trust: AttestationTrust, pki?: SevPkiSource): SevSnpReportVerifier | undefined {
  const chains = createSevPkiCache(trust, pki);
  return chains ? new SevSnpReportVerifier({ chains }) : undefined;
}

/** The verified SEV-SNP chains of a trust (AMD's pinned ARKs with `pki`, default AMD KDS; or the dev authority's); undefined when the dev authority has none. */
export function createSevPkiCache(trust: AttestationTrust, pki?: SevPkiSource): SevPkiCache | undefined {
  if (trust === 'intel') return new SevPkiCache({ source: pki ?? new AmdKdsClient(), pins: AMD_ARK_SHA256, trustName: 'AMD' });
  const dev = trust.devAuthority.sevSnp;
  return dev ? new SevPkiCache({ source: dev.source, pins: dev.pins, trustName: 'dev' }) : undefined;
}

function sevSnpPolicyVerifier(options: AttestationVerifierOptions): SevSnpPolicyVerifier | undefined {
  if (options.sevSnpPolicy?.allowDebug) refuseOnProductionNetwork(options.networkIsTest, 'accepting SEV-SNP guests with the DEBUG policy bit');
  const reports = options.sevSnpVerifier ?? createSevSnpReportVerifier(options.trust ?? 'intel', options.sevSnpPki);
  return reports ? new SevSnpPolicyVerifier('tdx', reports, options.sevSnpPolicy) : undefined;
}

function tdxQuoteVerifier(options: AttestationVerifierOptions): QuoteVerifier {
  const trust = options.trust ?? 'intel';
  if (trust !== 'intel') {
    refuseOnProductionNetwork(options.networkIsTest, 'dev attestation trust (simulated TDX dev root)');
    warnOnce(options.logger ?? stderrLogger, DEV_ATTESTATION_WARNING);
    return options.quoteVerifier ?? devQuoteVerifier(trust.devAuthority, options.tcbPolicy);
  }
  if (options.quoteVerifier) return options.quoteVerifier;
  if (!options.collateral) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'attestation policy tdx under Intel trust needs a collateral source (or a quote verifier)', { param: 'collateral' });
  }
  return new DcapQuoteVerifier({ collateral: options.collateral, tcbPolicy: options.tcbPolicy });
}

export function createAttestationVerifier(options: AttestationVerifierOptions): PeerVerifier {
  let verifier: PeerVerifier;
  switch (options.policy) {
    case 'any':
      verifier = new AnyPolicyVerifier();
      break;
    case 'fake_tdx':
      refuseOnProductionNetwork(options.networkIsTest, 'attestation policy fake_tdx');
      warnOnce(options.logger ?? stderrLogger, FAKE_TDX_WARNING);
      verifier = new FakeTdxPolicyVerifier();
      break;
    case 'tdx':
      verifier = new TeePolicyVerifier(new QuotePolicyVerifier('tdx', tdxQuoteVerifier(options)), sevSnpPolicyVerifier(options),
        'the dev attestation authority has no SEV-SNP chain (renew it: cocoon dev)');
      break;
    default:
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `unknown attestation policy "${String(options.policy)}" (expected any, fake_tdx or tdx)`, { param: 'policy' });
  }
  if (!options.hashes) return verifier;
  if (!options.expectedRole) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'root-contract hash checks need the expected peer role (proxy or worker)', { param: 'expectedRole' });
  }
  return new RootHashCheckingVerifier(verifier, options.hashes, options.expectedRole);
}

/** Runs the inner policy, then checks the verified image hash against the root contract. */
export class RootHashCheckingVerifier implements PeerVerifier {
  readonly policy: string;

  constructor(private readonly inner: PeerVerifier, private readonly hashes: RootHashPolicy, private readonly expectedRole: AttestedRole) {
    this.policy = inner.policy;
  }

  async verify(peer: PeerCertificateInput, now: Date): Promise<PeerAttestation> {
    const attestation = await this.inner.verify(peer, now);
    this.hashes.checkPeerImage(this.expectedRole, attestation.imageHash);
    return attestation;
  }
}
