/**
 * The DCAP collateral of a dev network, in dcap-qvl's `Collateral` shape: TDX TCB info and TD-QE
 * identity for the simulated platform (one `UpToDate` level each), signed by the dev TCB signing
 * key, with the dev issuer chains and empty CRLs.
 */
import type { KeyObject } from 'node:crypto';
import { signRawEcdsa } from './dev-certificate-issuer.ts';
import { DevPlatform } from './dev-platform.ts';

/** Same fields as dcap-qvl's `Collateral` (CRLs and signatures as hex strings). */
export interface DevCollateral {
  readonly pck_crl_issuer_chain: string;
  readonly root_ca_crl: string;
  readonly pck_crl: string;
  readonly tcb_info_issuer_chain: string;
  readonly tcb_info: string;
  readonly tcb_info_signature: string;
  readonly qe_identity_issuer_chain: string;
  readonly qe_identity: string;
  readonly qe_identity_signature: string;
}

export interface DevCollateralInput {
  issueDate: Date;
  nextUpdate: Date;
  tcbSigningKey: KeyObject;
  /** PEM chain: TCB signing certificate then root. */
  tcbIssuerChainPem: string;
  /** PEM chain: PCK platform CA then root. */
  pckCrlIssuerChainPem: string;
  rootCaCrlDer: Buffer;
  pckCrlDer: Buffer;
}

const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const upperHex = (bytes: Buffer): string => bytes.toString('hex').toUpperCase();
const svnList = (svns: Buffer): { svn: number }[] => [...svns].map((svn) => ({ svn }));

function tcbInfoJson(issueDate: string, nextUpdate: string): string {
  return JSON.stringify({
    id: 'TDX',
    version: 3,
    issueDate,
    nextUpdate,
    fmspc: upperHex(DevPlatform.fmspc),
    pceId: upperHex(DevPlatform.pceId),
    tcbType: 0,
    tcbEvaluationDataNumber: 1,
    tdxModule: { mrsigner: '00'.repeat(48), attributes: '0000000000000000', attributesMask: 'FFFFFFFFFFFFFFFF' },
    tcbLevels: [
      {
        tcb: { sgxtcbcomponents: svnList(DevPlatform.cpuSvn), pcesvn: DevPlatform.pceSvn, tdxtcbcomponents: svnList(DevPlatform.teeTcbSvn) },
        tcbDate: issueDate,
        tcbStatus: 'UpToDate',
      },
    ],
  });
}

function qeIdentityJson(issueDate: string, nextUpdate: string): string {
  const miscSelect = Buffer.alloc(4);
  miscSelect.writeUInt32LE(DevPlatform.qe.miscSelect);
  return JSON.stringify({
    id: 'TD_QE',
    version: 2,
    issueDate,
    nextUpdate,
    tcbEvaluationDataNumber: 1,
    miscselect: upperHex(miscSelect),
    miscselectMask: 'FFFFFFFF',
    attributes: upperHex(DevPlatform.qe.attributes),
    attributesMask: upperHex(DevPlatform.qe.attributesMask),
    mrsigner: upperHex(DevPlatform.qe.mrSigner),
    isvprodid: DevPlatform.qe.isvProdId,
    tcbLevels: [{ tcb: { isvsvn: DevPlatform.qe.isvSvn }, tcbDate: issueDate, tcbStatus: 'UpToDate' }],
  });
}

export function buildDevCollateral(input: DevCollateralInput): DevCollateral {
  const issueDate = isoSeconds(input.issueDate);
  const nextUpdate = isoSeconds(input.nextUpdate);
  const tcbInfo = tcbInfoJson(issueDate, nextUpdate);
  const qeIdentity = qeIdentityJson(issueDate, nextUpdate);
  return {
    pck_crl_issuer_chain: input.pckCrlIssuerChainPem,
    root_ca_crl: input.rootCaCrlDer.toString('hex'),
    pck_crl: input.pckCrlDer.toString('hex'),
    tcb_info_issuer_chain: input.tcbIssuerChainPem,
    tcb_info: tcbInfo,
    tcb_info_signature: signRawEcdsa(input.tcbSigningKey, Buffer.from(tcbInfo, 'utf8')).toString('hex'),
    qe_identity_issuer_chain: input.tcbIssuerChainPem,
    qe_identity: qeIdentity,
    qe_identity_signature: signRawEcdsa(input.tcbSigningKey, Buffer.from(qeIdentity, 'utf8')).toString('hex'),
  };
}
