/**
 * Builds the PeerVerifier for a policy name from configuration. `tdx` needs a QuoteVerifier
 * (normally a DcapQuoteVerifier with its collateral source); without one it is refused.
 */
import { CocoonError } from '@cocoon/protocol';
import { AnyPolicyVerifier } from './any-policy-verifier.ts';
import { FakeTdxPolicyVerifier } from './fake-tdx-policy-verifier.ts';
import type { PeerVerifier, QuoteVerifier } from './peer-verifier.ts';
import { QuotePolicyVerifier, type QuotePolicyOptions } from './quote-policy-verifier.ts';

export interface PeerVerifierOptions extends QuotePolicyOptions {
  /** Required for the `tdx` policy. */
  quoteVerifier?: QuoteVerifier;
}

export function createPeerVerifier(policy: 'any' | 'fake_tdx' | 'tdx' | (string & {}), options: PeerVerifierOptions = {}): PeerVerifier {
  switch (policy) {
    case 'any':
      return new AnyPolicyVerifier();
    case 'fake_tdx':
      return new FakeTdxPolicyVerifier(options);
    case 'tdx':
      if (!options.quoteVerifier) {
        throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'attestation policy tdx needs a DCAP quote verifier (quoteVerifier option)', { param: 'policy' });
      }
      return new QuotePolicyVerifier('tdx', options.quoteVerifier, options);
    default:
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `unknown attestation policy "${policy}" (expected any, fake_tdx or tdx)`, { param: 'policy' });
  }
}
