/**
 * Ports of peer verification: a PeerVerifier turns the peer's TLS certificate into a verified
 * PeerAttestation (or rejects with CCN_ERR_ATTEST_*); a QuoteVerifier checks one kind of TEE quote
 * (fake TDX, DCAP TDX; SEV-SNP has its own report verifier) and yields its measurements and TCB status. Both are asynchronous because
 * DCAP verification may need to fetch collateral.
 */
import type { SevSnpTcbVersion } from '../sev-snp/sev-snp-report.ts';
import type { TdxMeasurements } from './image-hash.ts';

export type AttestationPolicy = 'any' | 'fake_tdx' | 'tdx';

export interface PeerCertificateInput {
  /** DER of the certificate the peer presented; undefined when it sent none. */
  readonly certificateDer: Buffer | undefined;
}

export interface PeerAttestation {
  readonly policy: string;
  /** Raw 32-byte Ed25519 key of the peer's certificate (the TLS key). */
  readonly publicKey: Buffer;
  /** 32-byte image hash (§7.1); all zero when the peer is not attested. */
  readonly imageHash: Buffer;
  readonly measurements?: TdxMeasurements;
  /** TCB status of the verified quote ('UpToDate', …; 'Unverified (fake TDX)' for fake quotes; a TCB summary for SEV-SNP). */
  readonly tcbStatus?: string;
  /** Which TEE attested the peer, when it is not TDX (absent = TDX or none). */
  readonly tee?: 'sev-snp';
  /** What a verified SEV-SNP report says. */
  readonly sevSnp?: SevSnpPeerDetails;
  /** The root the attestation rests on (`Intel SGX Root CA sha256:…`); absent when nothing was attested. */
  readonly authority?: string;
}

export interface SevSnpPeerDetails {
  readonly measurement: Buffer;
  readonly reportVersion: number;
  readonly product: string;
  readonly guestPolicy: bigint;
  readonly debug: boolean;
  readonly vmpl: number;
  readonly reportedTcb: SevSnpTcbVersion;
  readonly chipId: Buffer;
  /** 'AMD' or 'dev'. */
  readonly trust: string;
}

export interface PeerVerifier {
  readonly policy: string;
  verify(peer: PeerCertificateInput, now: Date): Promise<PeerAttestation>;
}

/** What a QuoteVerifier established about one quote. */
export interface VerifiedQuote {
  /** The TD report fields, report data included. */
  readonly measurements: TdxMeasurements;
  /** Intel TCB status ('UpToDate', 'OutOfDate', …) or a descriptive status for unverified kinds. */
  readonly tcbStatus: string;
  /** Intel security advisories that apply to the platform (empty when none or unknown). */
  readonly advisoryIds: readonly string[];
  /** The root the quote verified under (`Intel SGX Root CA sha256:…`); absent for unverified kinds (fake TDX). */
  readonly authority?: string;
}

export interface QuoteVerifier {
  readonly kind: string;
  /** Checks the quote's authenticity at `now`; rejects with CCN_ERR_ATTEST_* when it is not acceptable. */
  verifyQuote(quote: Buffer, now: Date): Promise<VerifiedQuote>;
}
