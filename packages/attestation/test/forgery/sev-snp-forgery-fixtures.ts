// Fixtures for the SEV-SNP forgery suite: a dev authority with its SEV-SNP chain, a simulated-SNP
// provider with a known measurement, and helpers that put arbitrary (possibly forged) SEV-SNP
// evidence into real RA-TLS certificates.
import { createHash } from 'node:crypto';
import {
  computeSevSnpImageHash,
  createAttestedCertificate,
  createSelfSignedCertificate,
  DevAttestationAuthority,
  exportRawPublicKey,
  generateEd25519KeyPair,
  sevSnpCertificateExtensions,
  SimulatedSevSnpProvider,
  type CertificateExtension,
  type DevSevSnpAuthority,
  type SelfSignedCertificate,
} from '../../src/index.ts';
import { AUTHORITY_TIME, CERTIFICATE_TIME } from './forgery-fixtures.ts';

export const SEV_MEASUREMENT = createHash('sha384').update('forgery suite SEV-SNP guest').digest();
export const SEV_IMAGE_HASH = computeSevSnpImageHash(SEV_MEASUREMENT).toString('hex');
export const sha512 = (data: Buffer): Buffer => createHash('sha512').update(data).digest();

export interface SevSnpWorld {
  authority: DevAttestationAuthority;
  sev: DevSevSnpAuthority;
  provider: SimulatedSevSnpProvider;
  genuine: SelfSignedCertificate;
}

export async function createSevSnpWorld(): Promise<SevSnpWorld> {
  const authority = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
  const sev = authority.sevSnp!;
  const provider = new SimulatedSevSnpProvider({ authority: sev, measurement: SEV_MEASUREMENT });
  return { authority, sev, provider, genuine: await createAttestedCertificate({ provider, now: CERTIFICATE_TIME }) };
}

export interface SevEvidenceParts {
  report: Buffer;
  reportData?: Buffer;
  vcekPem?: string;
  /** Replaces the extension list entirely (after the three are built). */
  edit?: (extensions: CertificateExtension[]) => CertificateExtension[];
}

/** A fresh Ed25519 certificate whose SEV-SNP extensions are what `build` returns for its key. */
export async function certificateWithSevEvidence(world: SevSnpWorld, build: (publicKey: Buffer) => Promise<SevEvidenceParts>): Promise<SelfSignedCertificate> {
  const keyPair = await generateEd25519KeyPair();
  const publicKey = await exportRawPublicKey(keyPair);
  const parts = await build(publicKey);
  const extensions = sevSnpCertificateExtensions({ reportData: parts.reportData ?? sha512(publicKey), report: parts.report, vcekPem: parts.vcekPem ?? world.sev.vcekPem });
  return createSelfSignedCertificate({ now: CERTIFICATE_TIME, keyPair, extensions: parts.edit ? parts.edit(extensions) : extensions });
}
