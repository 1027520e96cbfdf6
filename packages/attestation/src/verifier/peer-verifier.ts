/**
 * Ports of peer verification: a PeerVerifier turns the peer's TLS certificate into a verified
 * PeerAttestation (or throws CCN_ERR_ATTEST_*); a QuoteVerifier checks one kind of TEE quote
 * (fake TDX now, DCAP TDX later) and yields its measurements.
 */
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
}

export interface PeerVerifier {
  readonly policy: string;
  verify(peer: PeerCertificateInput, now: Date): PeerAttestation;
}

export interface QuoteVerifier {
  readonly kind: string;
  /** Checks the quote's authenticity at `now` and returns its measurements (report data included). */
  verifyQuote(quote: Buffer, now: Date): TdxMeasurements;
}
