/**
 * The fixed identity of the simulated TDX platform: FMSPC, PCE id/SVN, CPU SVN, TEE TCB SVN and
 * the simulated TD-QE identity. The dev collateral is issued for exactly these values, so quotes
 * built with them verify as `UpToDate`. Values are clearly not Intel's (MRSIGNER is a tagged hash).
 */
import { createHash } from 'node:crypto';

const tagged = (label: string): Buffer => createHash('sha256').update(`cocoon-dev-attestation:${label}`).digest();

export const DevPlatform = {
  /** Family-model-stepping-platform-custom SKU of the simulated platform (6 bytes). */
  fmspc: Buffer.from('00C0C0DE0000', 'hex'),
  pceId: Buffer.from('0000', 'hex'),
  pceSvn: 13,
  /** CPU SVN: the 16 SGX TCB components of the PCK certificate. */
  cpuSvn: Buffer.from([2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0]),
  /** TEE TCB SVN of the TD report: the 16 TDX TCB components. */
  teeTcbSvn: Buffer.from([5, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
  /** TD attributes: only SEPT_VE_DISABLE (bit 28) set, debug off. */
  tdAttributes: Buffer.from('0000001000000000', 'hex'),
  xfam: Buffer.from('e702060000000000', 'hex'),
  mrSeam: createHash('sha384').update('cocoon-dev-attestation:simulated TDX module').digest(),
  ppid: tagged('ppid').subarray(0, 16),
  qe: {
    isvProdId: 2,
    isvSvn: 4,
    miscSelect: 0,
    /** SGX attributes of the QE enclave: INIT | MODE64BIT, debug off. */
    attributes: Buffer.from('11000000000000000000000000000000', 'hex'),
    attributesMask: Buffer.from('FBFFFFFFFFFFFFFF0000000000000000', 'hex'),
    mrSigner: tagged('simulated TD quoting enclave signer'),
    mrEnclave: tagged('simulated TD quoting enclave'),
    /** QE authentication data (32 bytes, as Intel's QE uses 0x00..0x1f). */
    authData: Buffer.from(Array.from({ length: 32 }, (_unused, index) => index)),
  },
} as const;
