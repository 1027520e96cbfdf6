/**
 * The fixed identity of the simulated SEV-SNP chip: a Genoa (CPUID family 19h, model 11h, stepping
 * 1) issuing version-5 reports, its 64-byte CHIP_ID (a tagged hash, clearly not a real chip's), its
 * TCB (the dev VCEK is issued for exactly it) and the guest policy of a production guest (SMT
 * allowed, DEBUG off).
 */
import { createHash } from 'node:crypto';
import type { SevSnpTcbVersion } from '../sev-snp/sev-snp-report.ts';
import type { SevProduct } from '../sev-snp/vcek-certificate.ts';

export const DevSevSnpPlatform = {
  product: 'Genoa' as SevProduct,
  productName: 'Genoa',
  reportVersion: 5,
  cpuid: { family: 0x19, model: 0x11, stepping: 0x01 },
  chipId: createHash('sha512').update('cocoon-dev-attestation:simulated SEV-SNP chip id').digest(),
  tcb: { bootLoader: 9, tee: 0, snp: 23, microcode: 72 } satisfies SevSnpTcbVersion,
  /** ABI 0.0, SMT (bit 16), reserved-must-be-one (bit 17); DEBUG (bit 19) off. */
  guestPolicy: 0x30000n,
  /** SMT enabled, TSME enabled. */
  platformInfo: 0x3n,
  firmware: { build: 0x2b, minor: 0x37, major: 0x01 },
} as const;
