/**
 * The Intel SGX PCK certificate extension (OID 1.2.840.113741.1.13.1) that DCAP verifiers read:
 * PPID, TCB (16 component SVNs, PCESVN, CPUSVN), PCE-ID, FMSPC and SGX type, DER-encoded.
 */
import { derEnumerated, derInteger, derObjectIdentifier, derOctetString, derSequence } from './der-writer.ts';

export const SGX_EXTENSION_OID = '1.2.840.113741.1.13.1';

export interface SgxPckExtensionFields {
  ppid: Buffer;
  cpuSvn: Buffer;
  pceSvn: number;
  pceId: Buffer;
  fmspc: Buffer;
  /** 0 = Standard. */
  sgxType?: number;
}

const entry = (oid: string, value: Buffer): Buffer => derSequence([derObjectIdentifier(oid), value]);

export function encodeSgxPckExtension(fields: SgxPckExtensionFields): Buffer {
  if (fields.cpuSvn.length !== 16) throw new RangeError('CPUSVN must be 16 bytes');
  if (fields.fmspc.length !== 6) throw new RangeError('FMSPC must be 6 bytes');
  const tcbOid = `${SGX_EXTENSION_OID}.2`;
  const components = [...fields.cpuSvn].map((svn, index) => entry(`${tcbOid}.${index + 1}`, derInteger(svn)));
  const tcb = derSequence([
    ...components,
    entry(`${tcbOid}.17`, derInteger(fields.pceSvn)),
    entry(`${tcbOid}.18`, derOctetString(fields.cpuSvn)),
  ]);
  return derSequence([
    entry(`${SGX_EXTENSION_OID}.1`, derOctetString(fields.ppid)),
    entry(tcbOid, tcb),
    entry(`${SGX_EXTENSION_OID}.3`, derOctetString(fields.pceId)),
    entry(`${SGX_EXTENSION_OID}.4`, derOctetString(fields.fmspc)),
    entry(`${SGX_EXTENSION_OID}.5`, derEnumerated(fields.sgxType ?? 0)),
  ]);
}
