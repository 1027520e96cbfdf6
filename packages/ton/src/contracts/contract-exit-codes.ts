/**
 * Exit codes the COCOON contracts throw, named after their `ERR_*` constant in
 * contracts/common/errors.tolk (ERR_ACCESS_DENIED → accessDenied). Checked against the Tolk
 * source by a test; runners and tests read exit codes from here instead of writing numbers.
 */
export const ContractExitCode = {
  /** old / non-monotonic message (token totals), expired public key */
  oldMessage: 1000,
  /** envelope op differs from the signed payload op */
  wrongPayloadOp: 1001,
  /** envelope query_id differs from the signed payload query_id */
  wrongQueryId: 1002,
  /** not enough coins attached */
  lowMsgValue: 1003,
  /** sender not allowed (owner-only / wrong sender) */
  accessDenied: 1004,
  /** bad state for this op */
  badState: 1005,
  /** contract closed */
  closed: 1006,
  /** bad Ed25519 signature */
  badSignature: 1007,
  /** new stake must be larger */
  stakeMustIncrease: 1008,
  /** withdraw with balance <= stake */
  balanceTooLow: 1009,
  /** running balance on close */
  runningBalance: 1010,
  /** force-close / close-complete before the delay */
  notUnlockedYet: 1011,
  /** unknown op */
  unknownOp: 1012,
  /** wallet: bad seqno / expired / wrong subwallet */
  walletBadSeqno: 1013,
  /** sender is not the derived client/worker contract */
  addressMismatch: 1014,
  /** signed expected_my_address != self */
  expectedAddress: 1015,
  /** root: signed key op while no key-manager public key is set */
  keyManagerUnset: 1016,
  /** root: key-manager op on a state below struct_version 4 */
  oldRootLayout: 1017,
  /** root: net address not 0:uint1 len:uint7 bytes */
  badNetAddress: 1018,
} as const;

export type ContractExitCodeName = keyof typeof ContractExitCode;

const NAMES_BY_CODE: ReadonlyMap<number, ContractExitCodeName> = new Map(
  (Object.entries(ContractExitCode) as Array<[ContractExitCodeName, number]>).map(([name, code]) => [code, name]),
);

/** The name of a COCOON contract exit code (e.g. for logs), or undefined for TVM/other codes. */
export function contractExitCodeName(code: number): ContractExitCodeName | undefined {
  return NAMES_BY_CODE.get(code);
}
