/**
 * Proxy-signed payment envelopes (§6.3): `op query_id send_excesses_to signature:bits512 ^payload`
 * with payload `op query_id [new_tokens:uint64] expected_my_address`. The Ed25519 signature covers
 * the payload cell hash only, so a holder may repack the envelope with its own send_excesses_to.
 */
import { type Address, beginCell, type Cell } from '@ton/core';
import { sign, signVerify } from '@ton/crypto';
import { CocoonError } from '@cocoon/protocol';
import { ContractOp } from '../contracts/contract-opcodes.ts';

export const SignedPaymentOp = {
  clientCharge: ContractOp.clientChargeSigned,
  clientGrantRefund: ContractOp.clientGrantRefundSigned,
  workerPayout: ContractOp.workerPayoutSigned,
  workerLastPayout: ContractOp.workerLastPayoutSigned,
  proxyCloseRequest: ContractOp.proxyCloseRequestSigned,
  proxyCloseComplete: ContractOp.proxyCloseCompleteSigned,
} as const;

/** Ops whose payload carries `new_tokens`. */
const TOKEN_OPS: ReadonlySet<number> = new Set([
  SignedPaymentOp.clientCharge, SignedPaymentOp.clientGrantRefund, SignedPaymentOp.workerPayout, SignedPaymentOp.workerLastPayout,
]);
const KNOWN_OPS: ReadonlySet<number> = new Set(Object.values(SignedPaymentOp));

export function signedPaymentHasTokens(op: number): boolean {
  return TOKEN_OPS.has(op);
}

export interface SignPaymentInput {
  op: number;
  queryId: bigint;
  /** Required for charge / grant_refund / payout / last_payout; must be absent for close ops. */
  newTokens?: bigint;
  /** The contract that must execute it (`expected_my_address`). */
  expectedAddress: Address;
  /** Where the executing contract returns unused gas (holders usually repack it); defaults to `expectedAddress`. */
  sendExcessesTo?: Address;
  /** 64-byte Ed25519 secret key (as from `keyPairFromSeed`). */
  secretKey: Buffer;
}

export interface SignedPayment {
  op: number;
  queryId: bigint;
  /** 0n for the token-less close ops. */
  newTokens: bigint;
  expectedAddress: Address;
  sendExcessesTo: Address;
}

function buildPayload(op: number, queryId: bigint, newTokens: bigint | undefined, expectedAddress: Address): Cell {
  const builder = beginCell().storeUint(op, 32).storeUint(queryId, 64);
  if (signedPaymentHasTokens(op)) {
    if (newTokens === undefined) {
      throw new CocoonError('CCN_ERR_TON_BAD_SIGNED_PAYMENT', `op 0x${op.toString(16)} needs newTokens`, { param: 'newTokens' });
    }
    builder.storeUint(newTokens, 64);
  } else if (newTokens !== undefined) {
    throw new CocoonError('CCN_ERR_TON_BAD_SIGNED_PAYMENT', `op 0x${op.toString(16)} carries no tokens`, { param: 'newTokens' });
  }
  return builder.storeAddress(expectedAddress).endCell();
}

function buildEnvelope(op: number, queryId: bigint, sendExcessesTo: Address, signature: Buffer, payload: Cell): Cell {
  return beginCell()
    .storeUint(op, 32)
    .storeUint(queryId, 64)
    .storeAddress(sendExcessesTo)
    .storeBuffer(signature)
    .storeRef(payload)
    .endCell();
}

/** Signs a payment with the proxy key and returns the envelope cell. */
export function signPayment(input: SignPaymentInput): Cell {
  if (!KNOWN_OPS.has(input.op)) {
    throw new CocoonError('CCN_ERR_TON_BAD_SIGNED_PAYMENT', `unknown signed payment op 0x${input.op.toString(16)}`, { param: 'op' });
  }
  const payload = buildPayload(input.op, input.queryId, input.newTokens, input.expectedAddress);
  const signature = sign(payload.hash(), input.secretKey);
  return buildEnvelope(input.op, input.queryId, input.sendExcessesTo ?? input.expectedAddress, signature, payload);
}

export interface ReadSignedPaymentOptions {
  /** 32-byte Ed25519 public key of the proxy. */
  publicKey: Buffer;
  /** When given, the payment must have this op. */
  op?: number;
  /** When given, `expected_my_address` must equal it. */
  expectedAddress?: Address;
}

function reject(message: string, param: string): never {
  throw new CocoonError('CCN_ERR_TON_BAD_SIGNED_PAYMENT', message, { param });
}

/** Parses and verifies an envelope exactly as the contracts do; throws CCN_ERR_TON_BAD_SIGNED_PAYMENT. */
export function readSignedPayment(cell: Cell, options: ReadSignedPaymentOptions): SignedPayment {
  let parsed: { op: number; queryId: bigint; sendExcessesTo: Address; signature: Buffer; payload: Cell };
  try {
    const slice = cell.beginParse();
    const op = slice.loadUint(32);
    const queryId = slice.loadUintBig(64);
    const sendExcessesTo = slice.loadAddress();
    const signature = slice.loadBuffer(64);
    parsed = { op, queryId, sendExcessesTo, signature, payload: slice.loadRef() };
  } catch (error) {
    throw new CocoonError('CCN_ERR_TON_BAD_SIGNED_PAYMENT', 'malformed signed payment envelope', { cause: error, param: 'envelope' });
  }
  if (!signVerify(parsed.payload.hash(), parsed.signature, options.publicKey)) reject('bad proxy signature', 'signature');
  if (options.op !== undefined && parsed.op !== options.op) reject(`op 0x${parsed.op.toString(16)} is not the expected one`, 'op');
  if (!KNOWN_OPS.has(parsed.op)) reject(`unknown signed payment op 0x${parsed.op.toString(16)}`, 'op');
  let payload: { op: number; queryId: bigint; newTokens: bigint; expectedAddress: Address };
  try {
    const slice = parsed.payload.beginParse();
    const op = slice.loadUint(32);
    const queryId = slice.loadUintBig(64);
    const newTokens = signedPaymentHasTokens(parsed.op) ? slice.loadUintBig(64) : 0n;
    payload = { op, queryId, newTokens, expectedAddress: slice.loadAddress() };
  } catch (error) {
    throw new CocoonError('CCN_ERR_TON_BAD_SIGNED_PAYMENT', 'malformed signed payload', { cause: error, param: 'payload' });
  }
  if (payload.op !== parsed.op) reject('payload op differs from the envelope op', 'op');
  if (payload.queryId !== parsed.queryId) reject('payload query_id differs from the envelope query_id', 'queryId');
  if (options.expectedAddress && !payload.expectedAddress.equals(options.expectedAddress)) {
    reject(`payment is for ${payload.expectedAddress.toRawString()}, not ${options.expectedAddress.toRawString()}`, 'expectedAddress');
  }
  return { ...payload, sendExcessesTo: parsed.sendExcessesTo };
}

/** Rebuilds the envelope with another send_excesses_to (the signature stays valid). */
export function repackSignedPayment(cell: Cell, sendExcessesTo: Address): Cell {
  const slice = cell.beginParse();
  const op = slice.loadUint(32);
  const queryId = slice.loadUintBig(64);
  slice.loadAddress();
  const signature = slice.loadBuffer(64);
  return buildEnvelope(op, queryId, sendExcessesTo, signature, slice.loadRef());
}
