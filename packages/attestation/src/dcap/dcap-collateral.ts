/**
 * DCAP collateral (the Intel TCB info, QE identity, CRLs and their issuer chains, as dcap-qvl and
 * PCCS JSON carry them): shape validation, and the window in which it may be used — from the
 * latest issueDate/thisUpdate to the earliest nextUpdate of TCB info, QE identity and both CRLs —
 * and its JSON form for the wire (`serializeDcapCollateral`: binary fields as hex). Browser-safe.
 */
import { utils } from '@phala/dcap-qvl';
import { CocoonError } from '@cocoon/protocol/browser';
import { readCertificate } from '../certificate/certificate-reader.ts';
import { decodeTime, readDerChildren, readDerElement, DerTag } from '../certificate/der-reader.ts';
import { formatDistinguishedName } from '../certificate/distinguished-name.ts';
import type { PckCaType } from './tdx-quote-parser.ts';

/** Binary fields are hex strings (recorded files) or byte arrays (dcap-qvl getCollateral). */
export type CollateralBytes = string | number[];

export interface DcapCollateral {
  pck_crl_issuer_chain: string;
  root_ca_crl: CollateralBytes;
  pck_crl: CollateralBytes;
  tcb_info_issuer_chain: string;
  tcb_info: string;
  tcb_info_signature: CollateralBytes;
  qe_identity_issuer_chain: string;
  qe_identity: string;
  qe_identity_signature: CollateralBytes;
  /** PEM chain of the platform's PCK certificate, when fetched from PCCS (otherwise taken from the quote). */
  pck_certificate_chain?: string | null;
}

export interface CollateralValidity {
  /** Latest issue time among the parts: the collateral cannot be used before it. */
  readonly notBefore: Date;
  /** Earliest nextUpdate among the parts: the collateral expires then. */
  readonly expiresAt: Date;
  /** FMSPC the TCB info is for (upper-case hex). */
  readonly fmspc: string;
  /** 'TDX' or 'SGX' (TCB info id). */
  readonly teeId: string;
}

const collateralError = (message: string, cause?: unknown): CocoonError =>
  new CocoonError('CCN_ERR_ATTEST_COLLATERAL', message, cause === undefined ? {} : { cause });

const STRING_FIELDS = ['pck_crl_issuer_chain', 'tcb_info_issuer_chain', 'tcb_info', 'qe_identity_issuer_chain', 'qe_identity'] as const;
const BYTE_FIELDS = ['root_ca_crl', 'pck_crl', 'tcb_info_signature', 'qe_identity_signature'] as const;

/** Checks that `value` has the collateral shape; throws CCN_ERR_ATTEST_COLLATERAL naming the bad field. */
export function parseDcapCollateral(value: unknown, source = 'collateral'): DcapCollateral {
  if (typeof value !== 'object' || value === null) throw collateralError(`${source} is not a JSON object`);
  const record = value as Record<string, unknown>;
  for (const field of STRING_FIELDS) {
    if (typeof record[field] !== 'string') throw collateralError(`${source} lacks the string field ${field}`);
  }
  for (const field of BYTE_FIELDS) {
    const bytes = record[field];
    const ok = typeof bytes === 'string' ? /^([0-9a-fA-F]{2})*$/.test(bytes) : Array.isArray(bytes) && bytes.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255);
    if (!ok) throw collateralError(`${source} field ${field} must be hex or a byte array`);
  }
  const chain = record.pck_certificate_chain;
  if (chain !== undefined && chain !== null && typeof chain !== 'string') throw collateralError(`${source} field pck_certificate_chain must be a PEM string`);
  return record as unknown as DcapCollateral;
}

export function collateralBytes(value: CollateralBytes): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'hex') : Buffer.from(value);
}

/**
 * The collateral as plain JSON (what `POST /v1/e2e/collateral` answers): every binary field as
 * lowercase hex, the PEM chains and signed JSON texts as they are; `JSON.parse(JSON.stringify(…))`
 * of it reads back with parseDcapCollateral to collateral that verifies the same.
 */
export function serializeDcapCollateral(collateral: DcapCollateral): Record<string, string> {
  const checked = parseDcapCollateral(collateral);
  const json: Record<string, string> = {};
  for (const field of STRING_FIELDS) json[field] = checked[field];
  for (const field of BYTE_FIELDS) json[field] = collateralBytes(checked[field]).toString('hex');
  if (typeof checked.pck_certificate_chain === 'string') json.pck_certificate_chain = checked.pck_certificate_chain;
  return json;
}

function signedJsonWindow(text: string, what: string): { issued: Date; next: Date; body: Record<string, unknown> } {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw collateralError(`${what} is not valid JSON`, error);
  }
  const issued = new Date(String(body.issueDate));
  const next = new Date(String(body.nextUpdate));
  if (Number.isNaN(issued.getTime()) || Number.isNaN(next.getTime())) throw collateralError(`${what} lacks a valid issueDate/nextUpdate`);
  return { issued, next, body };
}

/** thisUpdate / nextUpdate of a DER CRL (TBSCertList: version?, signature, issuer, thisUpdate, nextUpdate?). */
function crlWindow(der: Buffer, what: string): { issued: Date; next: Date | undefined } {
  try {
    const tbs = readDerChildren(readDerChildren(readDerElement(der, 0))[0]!);
    let index = tbs[0]?.tag === DerTag.integer ? 1 : 0;
    index += 2; // signature algorithm, issuer
    const issued = decodeTime(tbs[index]);
    const nextElement = tbs[index + 1];
    const hasNext = nextElement?.tag === DerTag.utcTime || nextElement?.tag === DerTag.generalizedTime;
    return { issued, next: hasNext ? decodeTime(nextElement) : undefined };
  } catch (error) {
    throw collateralError(`${what} is not a valid DER CRL`, error);
  }
}

export function readCollateralValidity(collateral: DcapCollateral): CollateralValidity {
  const tcbInfo = signedJsonWindow(collateral.tcb_info, 'TCB info');
  const qeIdentity = signedJsonWindow(collateral.qe_identity, 'QE identity');
  const rootCrl = crlWindow(collateralBytes(collateral.root_ca_crl), 'root CA CRL');
  const pckCrl = crlWindow(collateralBytes(collateral.pck_crl), 'PCK CRL');
  const issued = [tcbInfo.issued, qeIdentity.issued, rootCrl.issued, pckCrl.issued].map((date) => date.getTime());
  const next = [tcbInfo.next, qeIdentity.next, rootCrl.next, pckCrl.next].flatMap((date) => (date ? [date.getTime()] : []));
  return {
    notBefore: new Date(Math.max(...issued)),
    expiresAt: new Date(Math.min(...next)),
    fmspc: String(tcbInfo.body.fmspc ?? '').toUpperCase(),
    teeId: String(tcbInfo.body.id ?? 'SGX'),
  };
}

/** Which PCK CA the collateral's PCK CRL is for, from the subject of its issuer chain's first certificate. */
export function collateralPckCaType(collateral: DcapCollateral): PckCaType {
  const first = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(collateral.pck_crl_issuer_chain)?.[0];
  if (!first) throw collateralError('collateral pck_crl_issuer_chain holds no certificate');
  try {
    const [der] = utils.extractCerts(Buffer.from(first));
    if (!der) throw new Error('no certificate in the PEM block');
    return /PCK Platform CA/i.test(formatDistinguishedName(readCertificate(der).subject)) ? 'platform' : 'processor';
  } catch (error) {
    throw collateralError('collateral pck_crl_issuer_chain is not a valid certificate', error);
  }
}
