/**
 * Ports for producing attestation evidence: a TeeProvider returns the certificate extensions that
 * bind a TLS key to the platform. `none` adds nothing (the reference client's plain certificate);
 * `fake_tdx` adds the reference fake quote (SHA-512 of the key) and the key as user claims.
 */
import { createHash } from 'node:crypto';
import { CertificateOid } from '../certificate/certificate-oids.ts';
import type { CertificateExtension } from '../certificate/certificate-reader.ts';

export interface TeeProvider {
  readonly kind: string;
  certificateExtensions(publicKey: Buffer): Promise<CertificateExtension[]>;
}

/** A provider backed by a real (or simulated) quoting enclave: it can quote arbitrary REPORTDATA. */
export interface QuotingTeeProvider extends TeeProvider {
  /** Returns a raw TDX quote whose REPORTDATA is the given 64 bytes. */
  getQuote(reportData: Buffer): Promise<Buffer>;
}

export class NoTeeProvider implements TeeProvider {
  readonly kind = 'none';

  async certificateExtensions(_publicKey: Buffer): Promise<CertificateExtension[]> {
    return [];
  }
}

export class FakeTdxProvider implements TeeProvider {
  readonly kind = 'fake_tdx';

  async certificateExtensions(publicKey: Buffer): Promise<CertificateExtension[]> {
    const reportData = createHash('sha512').update(publicKey).digest();
    return [
      { oid: CertificateOid.tdxQuote, critical: true, value: reportData },
      { oid: CertificateOid.tdxUserClaims, critical: true, value: Buffer.from(publicKey) },
    ];
  }
}
