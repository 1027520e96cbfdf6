/**
 * Turns dcap-qvl's plain Error messages into CocoonErrors with their own code and a clear message:
 * malformed quote / broken signatures → CCN_ERR_ATTEST_QUOTE_INVALID, collateral problems →
 * CCN_ERR_ATTEST_COLLATERAL, TCB level problems → CCN_ERR_ATTEST_TCB_STATUS. Certificate-chain
 * failures do not say which chain failed, so the chains are re-checked in dcap-qvl's order.
 */
import { utils } from '@phala/dcap-qvl';
import { CocoonError, type CocoonErrorCode } from '@cocoon/protocol/browser';
import { collateralBytes, type DcapCollateral } from './dcap-collateral.ts';

type Rule = readonly [RegExp, CocoonErrorCode, (detail: string) => string];

const Q = 'CCN_ERR_ATTEST_QUOTE_INVALID';
const C = 'CCN_ERR_ATTEST_COLLATERAL';
const T = 'CCN_ERR_ATTEST_TCB_STATUS';

const RULES: readonly Rule[] = [
  [/^Failed to decode quote|Unsupported DCAP (quote version|TEE type|attestation key type)|must have version/, Q, (d) => `malformed or unsupported quote: ${d}`],
  [/PCK cert format|Failed to extract PCK|chain is too short in quote/, Q, (d) => `quote does not carry a usable PCK certificate chain: ${d}`],
  [/^Signature is invalid for qe_report/, Q, () => 'QE report signature does not verify with the PCK certificate key'],
  [/^QE report hash mismatch/, Q, () => 'QE report data does not bind the attestation key'],
  [/^ISV enclave report signature is invalid/, Q, () => 'quote signature does not verify with its attestation key (header or TD report altered)'],
  [/^QE (MRSIGNER|ISVPRODID|MISCSELECT|ATTRIBUTES)/, Q, (d) => `quoting enclave does not match Intel's QE identity: ${d}`],
  [/^Debug mode is enabled/, Q, () => 'TD or quoting enclave runs in debug mode'],
  [/Reserved bits|SEPT_VE_DISABLE|mr service td/, Q, (d) => `TD attributes not acceptable: ${d}`],
  [/^TCBInfo expired/, C, () => 'collateral expired: TCB info is past its nextUpdate'],
  [/^QE Identity expired/, C, () => 'collateral expired: QE identity is past its nextUpdate'],
  [/issue date is in the future/, C, (d) => `collateral not yet valid: ${d}`],
  [/^Failed to decode (TcbInfo|QeIdentity)/, C, (d) => `collateral malformed: ${d}`],
  [/chain is too short for (TCB Info|QE Identity)/, C, (d) => `collateral issuer chain too short: ${d}`],
  [/^Signature is invalid for tcb_info/, C, () => 'TCB info signature is invalid (collateral altered or not signed by its issuer chain)'],
  [/^Signature is invalid for qe_identity/, C, () => 'QE identity signature is invalid (collateral altered or not signed by its issuer chain)'],
  [/^Unsupported QE Identity|non-(TDX|SGX) TCB info/, C, (d) => `collateral does not fit a TDX quote: ${d}`],
  [/^Fmspc mismatch/, C, () => "collateral TCB info is for another platform (FMSPC differs from the quote's PCK certificate)"],
  [/^No matching TCB level found/, T, () => 'platform TCB matches no TCB level of the collateral (TCB not recognised by Intel for this FMSPC, below every listed level)'],
  [/^TCB status is invalid: (\w+)/, T, (d) => `TCB status ${/: (\w+)/.exec(d)?.[1] ?? 'invalid'} not allowed (rejected by DCAP)`],
  [/^QE ISVSVN .* below minimum/, T, (d) => `quoting enclave TCB too old: ${d}`],
];

const CHAIN_ERROR = /certificate chain|Certificate is expired|CaUsedAsEndEntity|Certificate is revoked|leaf signature|intermediate signature/i;

export interface DcapFailureContext {
  readonly collateral: DcapCollateral;
  readonly pckChain: readonly Buffer[] | undefined;
  readonly nowSecs: number;
  readonly trustedRootDer: Buffer;
}

/** Re-checks the three chains in dcap-qvl's order and names the first that fails. */
function diagnoseChain(context: DcapFailureContext): { code: CocoonErrorCode; message: string } | undefined {
  const crls = [collateralBytes(context.collateral.root_ca_crl), collateralBytes(context.collateral.pck_crl)];
  const chains: Array<[string, CocoonErrorCode, readonly Buffer[]]> = [
    ['TCB info issuer chain', C, utils.extractCerts(Buffer.from(context.collateral.tcb_info_issuer_chain))],
    ['QE identity issuer chain', C, utils.extractCerts(Buffer.from(context.collateral.qe_identity_issuer_chain))],
    ['PCK certificate chain', Q, context.collateral.pck_certificate_chain ? utils.extractCerts(Buffer.from(context.collateral.pck_certificate_chain)) : context.pckChain ?? []],
  ];
  for (const [name, code, certificates] of chains) {
    const [leaf, ...rest] = certificates;
    if (!leaf) continue;
    try {
      utils.verifyCertificateChain(leaf, rest, context.nowSecs, crls, context.trustedRootDer);
    } catch (error) {
      return { code, message: `${name} rejected under the trusted root CA: ${(error as Error).message}` };
    }
  }
  return undefined;
}

export function mapDcapError(error: unknown, context: DcapFailureContext): CocoonError {
  if (error instanceof CocoonError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  for (const [pattern, code, describe] of RULES) {
    if (pattern.test(detail)) return new CocoonError(code, `DCAP verification failed: ${describe(detail)}`, { cause: error });
  }
  if (CHAIN_ERROR.test(detail)) {
    const diagnosis = diagnoseChain(context);
    if (diagnosis) return new CocoonError(diagnosis.code, `DCAP verification failed: ${diagnosis.message}`, { cause: error });
  }
  return new CocoonError(Q, `DCAP verification failed: ${detail}`, { cause: error });
}
