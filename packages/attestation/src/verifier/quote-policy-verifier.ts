/**
 * A policy that requires a TEE quote (fake_tdx or tdx): the certificate must carry the
 * critical TDX_QUOTE and TDX_USER_CLAIMS extensions, the user claims must be the certificate's own
 * Ed25519 key and the quote's REPORTDATA must equal SHA-512(user claims) (§7.2). The quote itself
 * is checked by the injected QuoteVerifier; an optional allow-list pins image hashes. Browser-safe.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { CocoonError } from '@cocoon/protocol/browser';
import { CertificateOid } from '../certificate/certificate-oids.ts';
import { findExtension } from '../certificate/certificate-reader.ts';
import { checkRaTlsCertificate } from './certificate-checks.ts';
import { computeImageHash } from './image-hash.ts';
import type { PeerAttestation, PeerCertificateInput, PeerVerifier, QuoteVerifier } from './peer-verifier.ts';

export interface QuotePolicyOptions {
  /** When non-empty, the peer's image hash must be one of these (32-byte hashes). */
  allowedImageHashes?: readonly Buffer[];
}

const policyError = (message: string): CocoonError => new CocoonError('CCN_ERR_ATTEST_POLICY', message);

export class QuotePolicyVerifier implements PeerVerifier {
  readonly policy: string;
  private readonly quoteVerifier: QuoteVerifier;
  private readonly allowedImageHashes: ReadonlySet<string>;

  constructor(policy: string, quoteVerifier: QuoteVerifier, options: QuotePolicyOptions = {}) {
    this.policy = policy;
    this.quoteVerifier = quoteVerifier;
    this.allowedImageHashes = new Set((options.allowedImageHashes ?? []).map((hash) => hash.toString('hex')));
  }

  async verify(peer: PeerCertificateInput, now: Date): Promise<PeerAttestation> {
    const certificate = checkRaTlsCertificate(peer.certificateDer, now);
    const quote = findExtension(certificate, CertificateOid.tdxQuote);
    const userClaims = findExtension(certificate, CertificateOid.tdxUserClaims);
    if (!quote || !userClaims) {
      throw policyError(`policy ${this.policy} requires the TDX quote and user-claims extensions (or, under tdx, the SEV-SNP ones); the peer certificate lacks ${quote ? 'user claims' : 'a quote'}`);
    }
    if (!quote.critical || !userClaims.critical) throw policyError('attestation extensions must be critical');
    if (!userClaims.value.equals(certificate.publicKey)) {
      throw policyError('attestation user claims do not match the certificate public key');
    }
    const { measurements, tcbStatus, authority } = await this.quoteVerifier.verifyQuote(quote.value, now);
    const expectedReportData = Buffer.from(sha512(userClaims.value));
    if (!measurements.reportData.equals(expectedReportData)) {
      throw policyError('quote report data is not SHA-512 of the user claims (quote not bound to this TLS key)');
    }
    const imageHash = computeImageHash(measurements);
    if (this.allowedImageHashes.size > 0 && !this.allowedImageHashes.has(imageHash.toString('hex'))) {
      throw policyError(`peer image hash ${imageHash.toString('hex')} is not allowed by policy ${this.policy}`);
    }
    return { policy: this.policy, publicKey: Buffer.from(certificate.publicKey), imageHash, measurements, tcbStatus, ...(authority === undefined ? {} : { authority }) };
  }
}
