/**
 * The reference `fake_tdx` policy (§7.4): the "quote" is the 64-byte report data itself and every
 * measurement register is zero, so the image hash is SHA-256 of 448 zero bytes.
 */
import { CocoonError } from '@cocoon/protocol';
import { REPORT_DATA_LENGTH, zeroMeasurements, type TdxMeasurements } from './image-hash.ts';
import type { QuoteVerifier } from './peer-verifier.ts';
import { QuotePolicyVerifier, type QuotePolicyOptions } from './quote-policy-verifier.ts';

export class FakeTdxQuoteVerifier implements QuoteVerifier {
  readonly kind = 'fake_tdx';

  verifyQuote(quote: Buffer, _now: Date): TdxMeasurements {
    if (quote.length !== REPORT_DATA_LENGTH) {
      throw new CocoonError('CCN_ERR_ATTEST_POLICY', `fake TDX quote must be ${REPORT_DATA_LENGTH} bytes, got ${quote.length}`);
    }
    return zeroMeasurements(Buffer.from(quote));
  }
}

export class FakeTdxPolicyVerifier extends QuotePolicyVerifier {
  constructor(options: QuotePolicyOptions = {}) {
    super('fake_tdx', new FakeTdxQuoteVerifier(), options);
  }
}
