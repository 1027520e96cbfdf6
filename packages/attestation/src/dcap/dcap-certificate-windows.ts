/**
 * The validity windows of the certificates a DCAP verification rests on: the TCB info and QE identity
 * issuer chains and the PCK chain (the collateral's when it carries one, else the quote's), each
 * certificate at the verifier's clock — the certificates dcap-qvl's verifyCertificateChain dates. Under
 * Node dcap-qvl checks them itself, but its browser build cannot read a certificate's dates (they are
 * silently skipped there), so DcapQuoteVerifier runs this after every verification: the same refusal in
 * both. Browser-safe.
 */
import { utils } from '@phala/dcap-qvl';
import { CocoonError, type CocoonErrorCode } from '@cocoon/protocol/browser';
import { readCertificate } from '../certificate/certificate-reader.ts';
import { formatDistinguishedName } from '../certificate/distinguished-name.ts';
import type { DcapCollateral } from './dcap-collateral.ts';

export interface DcapCertificateWindowsInput {
  readonly collateral: DcapCollateral;
  /** The PCK chain embedded in the quote (leaf first), when it is embedded. */
  readonly embeddedPckChain: readonly Buffer[] | undefined;
  readonly now: Date;
}

function checkChain(name: string, code: CocoonErrorCode, certificates: readonly Buffer[], now: Date): void {
  for (const der of certificates) {
    let notBefore: Date;
    let notAfter: Date;
    let subject: string;
    try {
      const certificate = readCertificate(der);
      ({ notBefore, notAfter } = certificate);
      subject = formatDistinguishedName(certificate.subject);
    } catch (error) {
      throw new CocoonError(code, `DCAP verification failed: ${name} holds an unreadable certificate`, { cause: error });
    }
    if (now.getTime() < notBefore.getTime() || now.getTime() > notAfter.getTime()) {
      throw new CocoonError(code, `DCAP verification failed: ${name} rejected under the trusted root CA: certificate "${subject}" is valid ${notBefore.toISOString()} to ${notAfter.toISOString()}, not at ${now.toISOString()}`);
    }
  }
}

/** Throws CCN_ERR_ATTEST_COLLATERAL (issuer chains) or CCN_ERR_ATTEST_QUOTE_INVALID (PCK chain) for a certificate outside its window. */
export function checkDcapCertificateWindows(input: DcapCertificateWindowsInput): void {
  const { collateral, now } = input;
  checkChain('TCB info issuer chain', 'CCN_ERR_ATTEST_COLLATERAL', utils.extractCerts(Buffer.from(collateral.tcb_info_issuer_chain)), now);
  checkChain('QE identity issuer chain', 'CCN_ERR_ATTEST_COLLATERAL', utils.extractCerts(Buffer.from(collateral.qe_identity_issuer_chain)), now);
  const pckChain = collateral.pck_certificate_chain ? utils.extractCerts(Buffer.from(collateral.pck_certificate_chain)) : input.embeddedPckChain ?? [];
  checkChain('PCK certificate chain', 'CCN_ERR_ATTEST_QUOTE_INVALID', pckChain, now);
}
