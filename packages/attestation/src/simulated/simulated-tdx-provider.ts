/**
 * `tee simulated`: a TeeProvider that quotes like a TDX guest but is rooted in a dev attestation
 * authority instead of Intel. Its quotes verify (`UpToDate`) only against that authority's root
 * and collateral; a verifier pinning Intel's root rejects them.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CocoonError } from '@cocoon/protocol';
import type { CertificateExtension } from '../certificate/certificate-reader.ts';
import { quoteCertificateExtensions, reportDataForPublicKey } from '../tee/quote-extensions.ts';
import type { QuotingTeeProvider } from '../tee/tee-provider.ts';
import type { DevAttestationAuthority } from './dev-attestation-authority.ts';
import { buildQeCertificationData, buildSimulatedQuote, type TdxMeasurementRegisters } from './simulated-quote-builder.ts';

export interface SimulatedTdxProviderOptions {
  authority: DevAttestationAuthority;
  measurements: TdxMeasurementRegisters;
}

export class SimulatedTdxProvider implements QuotingTeeProvider {
  readonly kind = 'simulated';
  readonly measurements: TdxMeasurementRegisters;
  private readonly attestationPrivateKey: KeyObject;
  private readonly attestationPublicKey: Buffer;
  private readonly qeCertificationData: Buffer;

  constructor(options: SimulatedTdxProviderOptions) {
    this.measurements = options.measurements;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    this.attestationPrivateKey = privateKey;
    this.attestationPublicKey = Buffer.concat([Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
    this.qeCertificationData = buildQeCertificationData(options.authority, this.attestationPublicKey);
  }

  async getQuote(reportData: Buffer): Promise<Buffer> {
    if (reportData.length !== 64) {
      throw new CocoonError('CCN_ERR_ATTEST_TEE_UNAVAILABLE', `TDX report data must be 64 bytes, got ${reportData.length}`);
    }
    return buildSimulatedQuote({
      registers: this.measurements,
      reportData,
      attestationPrivateKey: this.attestationPrivateKey,
      attestationPublicKey: this.attestationPublicKey,
      qeCertificationData: this.qeCertificationData,
    });
  }

  async certificateExtensions(publicKey: Buffer): Promise<CertificateExtension[]> {
    return quoteCertificateExtensions(await this.getQuote(reportDataForPublicKey(publicKey)), publicKey);
  }
}
