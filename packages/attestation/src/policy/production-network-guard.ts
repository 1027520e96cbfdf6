/**
 * The one rule for test-only trust (§7.3): fake_tdx, a dev attestation root and SEV-SNP debug guests
 * are refused unless the ROOT CONTRACT says is_test — never on a runtime config value. Shared by the
 * runners' verifiers and the portable (browser) verifier. Browser-safe.
 */
import { CocoonError } from '@cocoon/protocol/browser';

/** Throws CCN_ERR_CONFIG_INVALID naming `what` unless the network is a test network. */
export function refuseOnProductionNetwork(networkIsTest: boolean, what: string): void {
  if (!networkIsTest) {
    throw new CocoonError(
      'CCN_ERR_CONFIG_INVALID',
      `${what} is refused: the root contract says is_test=false (a production network accepts only Intel-rooted tdx attestation)`,
      { param: 'policy' },
    );
  }
}
