/**
 * Generates a fresh Ed25519 key and its RA-TLS certificate carrying the evidence of a TeeProvider:
 * what a node presents on every COCOON connection (§7.2).
 */
import {
  createSelfSignedCertificate,
  exportRawPublicKey,
  generateEd25519KeyPair,
  type SelfSignedCertificate,
} from '../certificate/certificate-generator.ts';
import type { TeeProvider } from './tee-provider.ts';

export interface AttestedCertificateOptions {
  provider: TeeProvider;
  now: Date;
  validitySeconds?: number;
}

export async function createAttestedCertificate(options: AttestedCertificateOptions): Promise<SelfSignedCertificate> {
  const keyPair = await generateEd25519KeyPair();
  const extensions = await options.provider.certificateExtensions(await exportRawPublicKey(keyPair));
  return createSelfSignedCertificate({ now: options.now, validitySeconds: options.validitySeconds, extensions, keyPair });
}
