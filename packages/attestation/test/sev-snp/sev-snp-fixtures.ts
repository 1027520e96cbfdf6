// Real AMD SEV-SNP fixtures (test/fixtures/sev-snp, provenance in its README): reports, VCEKs, the
// Milan/Genoa chains and CRLs, the instant every one of them is valid at, and verifier builders.
import { readFileSync } from 'node:fs';
import { CocoonError } from '@cocoon/protocol';
import { AMD_ARK_SHA256, SevPkiCache, SevSnpReportVerifier, StaticSevPkiSource, type SevChainMaterial, type SevPkiSource } from '../../src/index.ts';

const file = (name: string): Buffer => readFileSync(new URL(`../fixtures/sev-snp/${name}`, import.meta.url));

export const MILAN_V2 = { report: file('milan_v2_report.bin'), vcek: file('milan_v2_vcek.der') };
export const MILAN_V3 = { report: file('milan_v3_report.bin'), vcek: file('milan_v3_vcek.der') };
export const GENOA_V5 = { report: file('genoa_v5_report.bin'), vcek: file('genoa_v5_vcek.der') };
export const MILAN_CHAIN_PEM = file('milan_cert_chain.pem').toString('latin1');
export const GENOA_CHAIN_PEM = file('genoa_cert_chain.pem').toString('latin1');
export const MILAN_CRL = file('milan_crl.der');
export const GENOA_CRL = file('genoa_crl.der');
export const GENOA_CRL_2024 = file('genoa_crl_2024-10-23.pem');
export const MILAN_CRL_2025 = file('milan_crl_2025-05-06.pem');

/** Inside [2026-08-19T14:19:23Z, 2026-10-04T00:00Z): both current CRLs and all three VCEKs are valid. */
export const FIXTURE_TIME = new Date('2026-09-01T00:00:00Z');
/** The CRLs' nextUpdate. */
export const CRL_NEXT_UPDATE = new Date('2026-10-04T00:00:00Z');

export const recordedMaterial = (): Omit<SevChainMaterial, 'fetchedAt'>[] => [
  { product: 'Milan', certificates: [MILAN_CHAIN_PEM], crl: MILAN_CRL },
  { product: 'Genoa', certificates: [GENOA_CHAIN_PEM], crl: GENOA_CRL },
];

/** A report verifier under AMD's pins with the recorded chains and CRLs (or another source). */
export function amdReportVerifier(source: SevPkiSource = new StaticSevPkiSource(recordedMaterial())): SevSnpReportVerifier {
  return new SevSnpReportVerifier({ chains: new SevPkiCache({ source, pins: AMD_ARK_SHA256, trustName: 'AMD' }) });
}

export const isCode = (code: string, pattern?: RegExp) => (error: unknown): boolean => {
  if (!(error instanceof CocoonError) || error.code !== code) return false;
  if (pattern && !pattern.test(error.message)) throw new Error(`message "${error.message}" does not match ${pattern}`);
  return true;
};
