/**
 * The reference `fake_tdx` policy (§7.4): the "quote" is the 64-byte report data itself and every
 * measurement register is zero, so the image hash is SHA-256 of 448 zero bytes.
 */
import { CocoonError } from '@cocoon/protocol';
import { REPORT_DATA_LENGTH, zeroMeasurements } from './image-hash.ts';
import type { QuoteVerifier, VerifiedQuote } from './peer-verifier.ts';
import { QuotePolicyVerifier, type QuotePolicyOptions } from './quote-policy-verifier.ts';

/** TCB status reported for fake quotes: nothing about the platform was verified. */
export const FAKE_TDX_TCB_STATUS = 'Unverified (fake TDX)';

export class FakeTdxQuoteVerifier implements QuoteVerifier {
  readonly kind = 'fake_tdx';

  async verifyQuote(quote: Buffer, _now: Date): Promise<VerifiedQuote> {
    if (quote.length !== REPORT_DATA_LENGTH) {
      throw new CocoonError('CCN_ERR_ATTEST_POLICY', `fake TDX quote must be ${REPORT_DATA_LENGTH} bytes, got ${quote.length}`);
    }
    return { measurements: zeroMeasurements(Buffer.from(quote)), tcbStatus: FAKE_TDX_TCB_STATUS, advisoryIds: [] };
  }
}

export class FakeTdxPolicyVerifier extends QuotePolicyVerifier {
  constructor(options: QuotePolicyOptions = {}) {
    super('fake_tdx', new FakeTdxQuoteVerifier(), options);
  }
}
