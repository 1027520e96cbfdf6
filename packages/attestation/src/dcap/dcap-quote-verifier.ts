/**
 * The `tdx` QuoteVerifier (§7.3): full Intel DCAP verification of a TDX quote with dcap-qvl —
 * collateral from a CollateralSource, the caller's clock inside the collateral window, PCK chain,
 * QE identity and TCB info signed under the pinned Intel SGX Root CA — then the TCB policy.
 * Successes are cached by SHA-256 of the quote until the collateral expires; each names the root it
 * verified under (`authority`). Browser-safe (dcap-qvl is isomorphic; the certificate windows its
 * browser build skips are checked here, dcap-certificate-windows.ts).
 */
import { QuoteVerifier as DcapLibraryVerifier, constants as dcapConstants } from '@phala/dcap-qvl';
import { CocoonError } from '@cocoon/protocol/browser';
import type { QuoteVerifier, VerifiedQuote } from '../verifier/peer-verifier.ts';
import { formatAttestationAuthority, tdxAttestationAuthority, type AttestationAuthority } from './attestation-authority.ts';
import type { CollateralSource } from './collateral-source.ts';
import { checkDcapCertificateWindows } from './dcap-certificate-windows.ts';
import { readCollateralValidity, type DcapCollateral } from './dcap-collateral.ts';
import { mapDcapError } from './dcap-error-mapping.ts';
import { checkTcbPolicy, type TcbPolicy } from './tcb-policy.ts';
import { decodeTdxQuote, embeddedPckChain } from './tdx-quote-parser.ts';
import { VerificationCache } from './verification-cache.ts';

export const DEFAULT_VERIFICATION_CACHE_SIZE = 10_000;

/** The TCB result of dcap-qvl's verify (status and advisories). */
export interface DcapTcbResult {
  readonly status: string;
  readonly advisory_ids: readonly string[];
}

/** dcap-qvl's synchronous verify: throws a plain Error on failure. */
export type DcapVerifyFunction = (quote: Buffer, collateral: DcapCollateral, nowSecs: number, trustedRootDer: Buffer) => DcapTcbResult;

export interface DcapQuoteVerifierOptions {
  collateral: CollateralSource;
  /** Trust anchor (DER); default dcap-qvl's pinned Intel SGX Root CA. */
  trustedRootDer?: Buffer;
  tcbPolicy?: TcbPolicy;
  /** Verified quotes kept (by SHA-256); default 10 000, 0 disables caching. */
  cacheSize?: number;
  /** Replaces dcap-qvl's verify (instrumentation and tests). */
  verifyFunction?: DcapVerifyFunction;
}

export const dcapLibraryVerify: DcapVerifyFunction = (quote, collateral, nowSecs, trustedRootDer) =>
  new DcapLibraryVerifier(trustedRootDer).verify(quote, collateral as Parameters<DcapLibraryVerifier['verify']>[1], nowSecs);

export class DcapQuoteVerifier implements QuoteVerifier {
  readonly kind = 'tdx';
  private readonly collateral: CollateralSource;
  private readonly trustedRootDer: Buffer;
  private readonly tcbPolicy: TcbPolicy;
  private readonly verifyFunction: DcapVerifyFunction;
  private readonly cache: VerificationCache<VerifiedQuote>;
  /** The pinned root: Intel's SGX Root CA or a dev root. */
  readonly authority: AttestationAuthority;

  constructor(options: DcapQuoteVerifierOptions) {
    this.collateral = options.collateral;
    this.trustedRootDer = options.trustedRootDer ?? dcapConstants.TRUSTED_ROOT_CA_DER;
    this.authority = tdxAttestationAuthority(this.trustedRootDer);
    this.tcbPolicy = options.tcbPolicy ?? {};
    this.verifyFunction = options.verifyFunction ?? dcapLibraryVerify;
    this.cache = new VerificationCache(options.cacheSize ?? DEFAULT_VERIFICATION_CACHE_SIZE);
  }

  /** Number of cached verification results. */
  get cachedResults(): number {
    return this.cache.size;
  }

  async verifyQuote(quote: Buffer, now: Date): Promise<VerifiedQuote> {
    const key = VerificationCache.keyOf(quote);
    const cached = this.cache.get(key, now);
    if (cached) return cached;
    const { parsed, quote: decoded } = decodeTdxQuote(quote);
    const collateral = await this.collateral.get(quote, now).catch((error: unknown) => {
      if (error instanceof CocoonError) throw error;
      throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `collateral unavailable: ${(error as Error).message}`, { cause: error });
    });
    const validity = readCollateralValidity(collateral);
    if (now.getTime() < validity.notBefore.getTime()) {
      throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `collateral not yet valid: issued ${validity.notBefore.toISOString()}, now ${now.toISOString()}`);
    }
    if (now.getTime() > validity.expiresAt.getTime()) {
      throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `collateral expired at ${validity.expiresAt.toISOString()} (now ${now.toISOString()})`);
    }
    const nowSecs = Math.floor(now.getTime() / 1000);
    let result: DcapTcbResult;
    try {
      result = this.verifyFunction(quote, collateral, nowSecs, this.trustedRootDer);
    } catch (error) {
      throw mapDcapError(error, { collateral, pckChain: safeChain(decoded), nowSecs, trustedRootDer: this.trustedRootDer });
    }
    checkDcapCertificateWindows({ collateral, embeddedPckChain: safeChain(decoded), now });
    checkTcbPolicy(result.status, result.advisory_ids, this.tcbPolicy);
    const verified: VerifiedQuote = {
      measurements: parsed.measurements, tcbStatus: result.status, advisoryIds: [...result.advisory_ids], authority: formatAttestationAuthority(this.authority),
    };
    this.cache.set(key, verified, validity.expiresAt);
    return verified;
  }
}

function safeChain(quote: Parameters<typeof embeddedPckChain>[0]): Buffer[] | undefined {
  try {
    return embeddedPckChain(quote);
  } catch {
    return undefined;
  }
}
