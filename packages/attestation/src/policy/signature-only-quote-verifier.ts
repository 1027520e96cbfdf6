/**
 * A QuoteVerifier without collateral (tools, diagnostics): the quote's signature and its embedded
 * PCK chain up to the trusted root are checked, the TCB status is not ('Unknown (no collateral)').
 * Not for runners: production `tdx` needs collateral (§7.3).
 */
import { verifyQuoteSignatureOnly } from '../dcap/signature-only-verification.ts';
import type { QuoteVerifier, VerifiedQuote } from '../verifier/peer-verifier.ts';

export class SignatureOnlyQuoteVerifier implements QuoteVerifier {
  readonly kind = 'tdx (signature only)';

  /** `trustedRootDer`: default Intel's SGX root CA. */
  constructor(private readonly trustedRootDer?: Buffer) {}

  async verifyQuote(quote: Buffer, now: Date): Promise<VerifiedQuote> {
    return verifyQuoteSignatureOnly(quote, now, this.trustedRootDer);
  }
}
