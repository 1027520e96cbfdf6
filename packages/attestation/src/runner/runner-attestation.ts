/**
 * A runner's attestation (§7): its own TEE provider and RA-TLS certificate (refreshed hourly,
 * dated by the chain's clock), its own image hash, and the verifiers of its peers — one shared
 * quote verifier and one shared SEV-SNP report verifier (so their caches serve every connection),
 * trusting Intel's root with collateral from a PCCS cached on disk and AMD's pinned ARKs with
 * chains/CRLs from AMD KDS, or a dev attestation authority on a test network — and the DCAP collateral
 * of a quote under that trust (`collateralFor`, what a browser verifying a quote asks the relay for), and
 * likewise the verified SEV-SNP chain + CRL of a product (`sevSnpChainFor`).
 * Opening one installs node:crypto's native primitives for the portable checks (Ed25519, SHA-256).
 */
import { CocoonError, toCocoonError, useNodeE2ePrimitives, type Logger, type PeerPolicy, type TeeKind } from '@cocoon/protocol';
import { RefreshingCertificate } from '../certificate/refreshing-certificate.ts';
import { INTEL_ROOT_CA_DER, tdxAttestationAuthority, type AttestationAuthority } from '../dcap/attestation-authority.ts';
import { CollateralStore } from '../dcap/collateral-store.ts';
import { parseDcapCollateral, type DcapCollateral } from '../dcap/dcap-collateral.ts';
import { DcapQuoteVerifier } from '../dcap/dcap-quote-verifier.ts';
import { parseTdxQuote } from '../dcap/tdx-quote-parser.ts';
import { createAttestationVerifier, createSevPkiCache, devQuoteVerifier, type AttestationTrust } from '../policy/create-attestation-verifier.ts';
import type { AttestedRole, RootHashPolicy } from '../policy/root-hash-policy.ts';
import { AmdKdsClient } from '../sev-snp/amd-kds-client.ts';
import { computeSevSnpImageHash } from '../sev-snp/sev-snp-extensions.ts';
import type { SevPkiCache } from '../sev-snp/sev-pki-cache.ts';
import { SevSnpReportVerifier } from '../sev-snp/sev-snp-report-verifier.ts';
import { parseSevSnpReport } from '../sev-snp/sev-snp-report.ts';
import { SevSnpTsmProvider } from '../sev-snp/sev-snp-tsm-provider.ts';
import type { VerifiedSevChain } from '../sev-snp/sev-trust-chain.ts';
import { SEV_PRODUCTS, type SevProduct } from '../sev-snp/vcek-certificate.ts';
import { DevAttestationAuthority } from '../simulated/dev-attestation-authority.ts';
import { measureSimulatedSevSnpRunner } from '../simulated/measure-sev-snp-runner-image.ts';
import { measureSimulatedRunner, type SimulatedRunnerRole } from '../simulated/measure-repository-runner-image.ts';
import { ConfigfsTsmProvider } from '../tee/configfs-tsm-provider.ts';
import { createTeeProvider } from '../tee/create-tee-provider.ts';
import type { TeeProvider } from '../tee/tee-provider.ts';
import { EMPTY_IMAGE_HASH, REPORT_DATA_LENGTH, computeImageHash, zeroMeasurements } from '../verifier/image-hash.ts';
import type { PeerVerifier, QuoteVerifier } from '../verifier/peer-verifier.ts';

export interface RunnerAttestationOptions {
  /** The runner's role; clients never attest themselves (tee must be 'none'). */
  role: AttestedRole | 'key_manager' | 'client';
  tee: TeeKind;
  /** Dev attestation authority directory ('' = Intel trust). */
  devAuthorityDir: string;
  pccsUrl: string;
  collateralDir: string;
  /** The clock certificates are dated with (chain time on chain). */
  now: () => Date | Promise<Date>;
  logger: Logger;
  /** Simulated TEE: measure the runner code under this packages/ directory (default: this repository). */
  packagesDirectory?: string;
  /** tdx, sev-snp: the configfs-tsm report directory (default /sys/kernel/config/tsm/report). */
  tsmReportRoot?: string;
  /** sev-snp: the VCEK file when the host supplies none (default /etc/tee/sev/vcek.pem; else AMD KDS). */
  sevVcekPath?: string;
  /** Default 1 h. */
  certificateRefreshIntervalMs?: number;
}

export interface PeerVerifierRequest {
  policy: PeerPolicy;
  /** Role whose root-contract dictionary the peer's image hash must be in (with `hashes`). */
  expectedRole?: AttestedRole;
  /** Root-contract allow-lists; undefined = no hash check (off chain). */
  hashes?: RootHashPolicy;
  /** The root contract's is_test (off chain: a local network, true). */
  networkIsTest: boolean;
}

export class RunnerAttestation {
  private quoteVerifier: QuoteVerifier | undefined;
  private sevSnpVerifier: SevSnpReportVerifier | undefined;
  private sevPki: SevPkiCache | undefined | null;
  private collateralStore: CollateralStore | undefined;

  private constructor(
    private readonly options: RunnerAttestationOptions,
    readonly certificate: RefreshingCertificate,
    /** §7.1 image hash of this runner (all zero without a TEE). */
    readonly imageHash: Buffer,
    private readonly devAuthority: DevAttestationAuthority | undefined,
  ) {}

  static async open(options: RunnerAttestationOptions): Promise<RunnerAttestation> {
    if (options.role === 'client' && options.tee !== 'none') {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'clients are not TEEs: tee must be none', { param: 'tee' });
    }
    useNodeE2ePrimitives(); // certificate self-signatures and e2e hashes on node:crypto (byte-identical to @noble)
    const authority = options.devAuthorityDir === '' ? undefined : await loadAuthority(options.devAuthorityDir);
    const { provider, imageHash } = await ownProvider(options, authority);
    const certificate = await RefreshingCertificate.create({
      provider, now: options.now, refreshIntervalMs: options.certificateRefreshIntervalMs,
      onError: (error) => options.logger.warn('certificate refresh failed; the current certificate stays in use', { error: error.message }),
    });
    if (options.tee !== 'none') options.logger.info('attested certificate ready', { tee: options.tee, image_hash: imageHash.toString('hex') });
    return new RunnerAttestation(options, certificate, imageHash, authority);
  }

  get tee(): TeeKind {
    return this.options.tee;
  }

  /** 'intel', or 'dev' when peers are verified against a dev attestation authority. */
  get trustName(): 'intel' | 'dev' {
    return this.devAuthority ? 'dev' : 'intel';
  }

  /** DER of the root TDX quotes are verified under: Intel's SGX Root CA, or the dev authority's root. */
  get trustedRootDer(): Buffer {
    return this.devAuthority ? this.devAuthority.rootCertificateDer : Buffer.from(INTEL_ROOT_CA_DER);
  }

  /** That root as an authority (kind, name, SHA-256 of its DER). */
  get authority(): AttestationAuthority {
    return tdxAttestationAuthority(this.trustedRootDer);
  }

  /**
   * The DCAP collateral of a TDX quote under this runner's trust: the dev authority's static collateral,
   * or the on-disk CollateralStore (fetched from the PCCS when missing or stale). Rejects a quote that is
   * not a TDX quote with CCN_ERR_ATTEST_QUOTE_INVALID, unavailable collateral with CCN_ERR_ATTEST_COLLATERAL.
   */
  async collateralFor(quote: Uint8Array, now: Date): Promise<DcapCollateral> {
    const bytes = Buffer.from(quote.buffer, quote.byteOffset, quote.byteLength);
    parseTdxQuote(bytes);
    if (this.devAuthority) return parseDcapCollateral(this.devAuthority.collateral, 'the dev authority collateral');
    return this.sharedCollateralStore().get(bytes, now);
  }

  /**
   * The SEV-SNP chain (ARK, ASK) and the ARK's CRL of a product under this runner's trust, verified as its own
   * peer checks verify them (the dev authority's chain, or AMD's pinned ARKs with chains and CRLs from AMD KDS,
   * shared with the peer verifier's cache). Rejects an unknown product with CCN_ERR_ATTEST_QUOTE_INVALID and an
   * unavailable chain (a dev authority without one, KDS down, a stale CRL) with CCN_ERR_ATTEST_COLLATERAL.
   */
  async sevSnpChainFor(product: SevProduct, now: Date): Promise<VerifiedSevChain> {
    if (!SEV_PRODUCTS.includes(product)) throw new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', `unknown SEV-SNP product "${String(product)}" (expected ${SEV_PRODUCTS.join(', ')})`);
    const chains = this.sharedSevPki();
    if (!chains) throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', 'the dev attestation authority has no SEV-SNP chain (renew it: cocoon dev)');
    return chains.verifiedChain(product, now);
  }

  /** The verifier of one kind of peer; refuses dev trust and fake_tdx unless the network is a test network. */
  verifier(request: PeerVerifierRequest): PeerVerifier {
    const trust: AttestationTrust = this.devAuthority ? { devAuthority: this.devAuthority } : 'intel';
    return createAttestationVerifier({
      policy: request.policy,
      expectedRole: request.expectedRole,
      hashes: request.hashes,
      networkIsTest: request.networkIsTest,
      trust,
      quoteVerifier: request.policy === 'tdx' ? this.sharedQuoteVerifier() : undefined,
      sevSnpVerifier: request.policy === 'tdx' ? this.sharedSevSnpVerifier() : undefined,
      logger: this.options.logger,
    });
  }

  start(): void {
    this.certificate.start();
  }

  stop(): void {
    this.certificate.stop();
  }

  private sharedSevPki(): SevPkiCache | undefined {
    if (this.sevPki === undefined) this.sevPki = createSevPkiCache(this.devAuthority ? { devAuthority: this.devAuthority } : 'intel') ?? null;
    return this.sevPki ?? undefined;
  }

  private sharedSevSnpVerifier(): SevSnpReportVerifier | undefined {
    const chains = this.sharedSevPki();
    if (chains) this.sevSnpVerifier ??= new SevSnpReportVerifier({ chains });
    return this.sevSnpVerifier;
  }

  private sharedQuoteVerifier(): QuoteVerifier {
    this.quoteVerifier ??= this.devAuthority ? devQuoteVerifier(this.devAuthority) : new DcapQuoteVerifier({ collateral: this.sharedCollateralStore() });
    return this.quoteVerifier;
  }

  private sharedCollateralStore(): CollateralStore {
    this.collateralStore ??= new CollateralStore({ directory: this.options.collateralDir, pccsUrl: this.options.pccsUrl });
    return this.collateralStore;
  }
}

async function loadAuthority(directory: string): Promise<DevAttestationAuthority> {
  try {
    return await DevAttestationAuthority.load(directory);
  } catch (error) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `cannot load the dev attestation authority from ${directory}: ${toCocoonError(error).message}`, {
      param: 'attestation_dev_authority_dir', cause: error,
    });
  }
}

/** The runner's own provider, and the image hash its quotes carry. */
async function ownProvider(options: RunnerAttestationOptions, authority: DevAttestationAuthority | undefined): Promise<{ provider: TeeProvider; imageHash: Buffer }> {
  switch (options.tee) {
    case 'simulated': {
      if (!authority) {
        throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'tee simulated needs attestation_dev_authority_dir (cocoon dev generates one)', { param: 'attestation_dev_authority_dir' });
      }
      const image = await measureSimulatedRunner(options.role as SimulatedRunnerRole, { packagesDirectory: options.packagesDirectory });
      return { provider: createTeeProvider('simulated', { simulated: { authority, measurements: image.measurements } }), imageHash: image.imageHash };
    }
    case 'simulated-sev-snp': {
      if (!authority?.sevSnp) {
        throw new CocoonError('CCN_ERR_CONFIG_INVALID', authority
          ? 'tee simulated-sev-snp: the dev attestation authority has no SEV-SNP chain (renew it: cocoon dev)'
          : 'tee simulated-sev-snp needs attestation_dev_authority_dir (cocoon dev generates one)', { param: 'attestation_dev_authority_dir' });
      }
      const image = await measureSimulatedSevSnpRunner(options.role as SimulatedRunnerRole, { packagesDirectory: options.packagesDirectory });
      return { provider: createTeeProvider('simulated-sev-snp', { simulatedSevSnp: { authority: authority.sevSnp, measurement: image.measurement } }), imageHash: image.imageHash };
    }
    case 'sev-snp': {
      const provider = new SevSnpTsmProvider({
        ...(options.tsmReportRoot ? { reportRoot: options.tsmReportRoot } : {}),
        ...(options.sevVcekPath !== undefined ? { vcekPath: options.sevVcekPath } : {}),
        kds: new AmdKdsClient(),
      });
      const { report } = await provider.getReport(Buffer.alloc(REPORT_DATA_LENGTH));
      return { provider, imageHash: computeSevSnpImageHash(parseSevSnpReport(report).measurement) };
    }
    case 'tdx': {
      const provider = new ConfigfsTsmProvider(options.tsmReportRoot ? { reportRoot: options.tsmReportRoot } : {});
      const quote = await provider.getQuote(Buffer.alloc(REPORT_DATA_LENGTH));
      return { provider, imageHash: computeImageHash(parseTdxQuote(quote).measurements) };
    }
    case 'fake_tdx':
      return { provider: createTeeProvider('fake_tdx'), imageHash: computeImageHash(zeroMeasurements()) };
    case 'none':
      return { provider: createTeeProvider('none'), imageHash: Buffer.from(EMPTY_IMAGE_HASH) };
  }
  throw new CocoonError('CCN_ERR_CONFIG_INVALID', `unknown tee '${String(options.tee)}'`, { param: 'tee' });
}
