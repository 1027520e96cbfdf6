// Fixtures for the attestation forgery suite: a dev authority, a simulated-TDX provider with known
// measurements, and helpers that put arbitrary (possibly forged) quotes into real RA-TLS certificates.
import { createHash } from 'node:crypto';
import {
  computeImageHash,
  createAttestedCertificate,
  createSelfSignedCertificate,
  DevAttestationAuthority,
  exportRawPublicKey,
  generateEd25519KeyPair,
  quoteCertificateExtensions,
  simulatedMeasurements,
  SimulatedTdxProvider,
  type SelfSignedCertificate,
  type TdxMeasurementRegisters,
} from '../../src/index.ts';

export const AUTHORITY_TIME = new Date('2026-03-01T12:00:00Z');
export const CERTIFICATE_TIME = new Date('2026-03-02T00:00:00Z');
/** One hour into the certificates' 24 h window, inside the dev collateral's year. */
export const VERIFY_TIME = new Date('2026-03-02T01:00:00Z');
export const MODEL = 'Qwen/Qwen3-0.6B@c1899de289a04d12100db370d81485cdf75e47ca:5f1d6a0b9c2e';
export const MEASUREMENTS: TdxMeasurementRegisters = simulatedMeasurements(Buffer.alloc(32, 0x5a), { role: 'worker', model: MODEL });
export const IMAGE_HASH = computeImageHash({ ...MEASUREMENTS, reportData: Buffer.alloc(64) }).toString('hex');

export const sha512 = (data: Buffer): Buffer => createHash('sha512').update(data).digest();

export interface SimulatedWorld {
  authority: DevAttestationAuthority;
  provider: SimulatedTdxProvider;
  /** A genuine simulated certificate, valid at VERIFY_TIME. */
  genuine: SelfSignedCertificate;
}

export async function createSimulatedWorld(): Promise<SimulatedWorld> {
  const authority = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
  const provider = new SimulatedTdxProvider({ authority, measurements: MEASUREMENTS });
  const genuine = await createAttestedCertificate({ provider, now: CERTIFICATE_TIME });
  return { authority, provider, genuine };
}

/** A fresh Ed25519 certificate whose TDX_QUOTE / TDX_USER_CLAIMS are what `build` returns for its key. */
export async function certificateWithQuote(
  build: (publicKey: Buffer) => Promise<{ quote: Buffer; userClaims?: Buffer }>,
  now: Date = CERTIFICATE_TIME,
): Promise<SelfSignedCertificate> {
  const keyPair = await generateEd25519KeyPair();
  const publicKey = await exportRawPublicKey(keyPair);
  const { quote, userClaims } = await build(publicKey);
  const extensions = quoteCertificateExtensions(quote, publicKey);
  if (userClaims) extensions[1] = { ...extensions[1]!, value: userClaims };
  return createSelfSignedCertificate({ now, keyPair, extensions });
}
