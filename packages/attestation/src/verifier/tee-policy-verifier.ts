/**
 * Policy `tdx` as the reference's `tee` policy: a peer is attested by TDX or by SEV-SNP. The
 * certificate's extensions choose the path — TDX_QUOTE/TDX_USER_CLAIMS → the TDX quote policy,
 * SEV_REPORT_DATA/SEV_ATTESTATION_REPORT/SEV_VCEK → the SEV-SNP policy, both → refused as mutually
 * exclusive, neither → refused by the TDX path ("requires the TDX quote…").
 */
import { CocoonError } from '@cocoon/protocol/browser';
import { hasSevSnpExtensions, hasTdxExtensions } from '../sev-snp/sev-snp-extensions.ts';
import { checkRaTlsCertificate } from './certificate-checks.ts';
import type { PeerAttestation, PeerCertificateInput, PeerVerifier } from './peer-verifier.ts';
import type { SevSnpPolicyVerifier } from './sev-snp-policy-verifier.ts';

export class TeePolicyVerifier implements PeerVerifier {
  readonly policy: string;

  /** `sevSnp` undefined: SEV-SNP peers are refused with `sevSnpUnavailable` as the reason. */
  constructor(private readonly tdx: PeerVerifier, private readonly sevSnp: SevSnpPolicyVerifier | undefined, private readonly sevSnpUnavailable = 'SEV-SNP verification is not configured') {
    this.policy = tdx.policy;
  }

  async verify(peer: PeerCertificateInput, now: Date): Promise<PeerAttestation> {
    const certificate = checkRaTlsCertificate(peer.certificateDer, now);
    if (!hasSevSnpExtensions(certificate)) return this.tdx.verify(peer, now);
    if (hasTdxExtensions(certificate)) {
      throw new CocoonError('CCN_ERR_ATTEST_BAD_CERTIFICATE', 'peer certificate carries both TDX and SEV-SNP extensions; they are mutually exclusive');
    }
    if (!this.sevSnp) throw new CocoonError('CCN_ERR_ATTEST_POLICY', `peer presents SEV-SNP evidence but ${this.sevSnpUnavailable}`);
    return this.sevSnp.verifyCertificate(certificate, now);
  }
}
