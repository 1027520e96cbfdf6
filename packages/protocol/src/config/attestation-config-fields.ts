/**
 * Attestation fields shared by the runner configs (§7): how a TEE runner attests itself
 * (`tee`), and what it trusts when it verifies `tdx` peers — Intel's root with collateral
 * from a PCCS/PCS (cached on disk), or a dev attestation authority. The dev authority is
 * accepted only when the ROOT CONTRACT says is_test, so no runtime config can enable it on a
 * production network.
 */
import { z } from 'zod';

/**
 * How a runner attests itself: none, fake_tdx (reference test format), tdx (configfs-tsm), simulated
 * (dev authority), sev-snp (AMD SEV-SNP through configfs-tsm), simulated-sev-snp (dev authority's SEV-SNP chain).
 */
export const TEE_KINDS = ['none', 'fake_tdx', 'tdx', 'simulated', 'sev-snp', 'simulated-sev-snp'] as const;
export type TeeKind = (typeof TEE_KINDS)[number];

/** Intel's Provisioning Certification Service (a PCCS URL may replace it). */
export const DEFAULT_PCCS_URL = 'https://api.trustedservices.intel.com';

/** The `tee` field of a TEE runner (proxy, worker). */
export function teeField(defaultKind: TeeKind) {
  return { tee: z.enum(TEE_KINDS).default(defaultKind) };
}

/** What `tdx` peer verification trusts; every runner has these (clients verify the proxy too). */
export function attestationTrustFields(defaults: { collateralDir: string }) {
  return {
    /**
     * Directory of a dev attestation authority (`cocoon dev` generates one): simulated quotes are
     * signed by it and tdx peers are verified against its root instead of Intel's — refused unless
     * the root contract says is_test. '' = Intel.
     */
    attestation_dev_authority_dir: z.string().default(''),
    /** PCCS or Intel PCS base URL the TDX collateral is fetched from. */
    attestation_pccs_url: z.string().url().default(DEFAULT_PCCS_URL),
    /** On-disk cache of the collateral (refreshed ahead of its expiry). */
    attestation_collateral_dir: z.string().min(1).default(defaults.collateralDir),
  };
}
