/**
 * Turns transactions of a proxy contract into the events runners act on (§6.4–§6.7):
 * the proxy's own save-state marks, client contract notifications (state mirror, top-up,
 * register nonce, refunds) and worker contract notifications (payouts). Aborted
 * transactions (e.g. a forged sender the contract refused) yield nothing.
 */
import type { Address, Cell, Slice, Transaction } from '@ton/core';
import { contractStatusOf, type ContractStatus } from './contract-state-readers.ts';
import { ContractOp } from '../contracts/contract-opcodes.ts';

export const OP_DO_NOT_PROCESS = ContractOp.doNotProcess;
export const OP_PROXY_SAVE_STATE = ContractOp.proxySaveState;
export const OP_CLIENT_PROXY_REQUEST = ContractOp.clientProxyRequest;
export const OP_CLIENT_PROXY_TOP_UP = ContractOp.clientProxyTopUp;
export const OP_CLIENT_PROXY_REGISTER = ContractOp.clientProxyRegister;
export const OP_CLIENT_PROXY_REFUND_GRANTED = ContractOp.clientProxyRefundGranted;
export const OP_CLIENT_PROXY_REFUND_FORCE = ContractOp.clientProxyRefundForce;
export const OP_WORKER_PROXY_REQUEST = ContractOp.workerProxyRequest;
export const OP_WORKER_PROXY_PAYOUT_REQUEST = ContractOp.workerProxyPayoutRequest;

export interface ClientStateSnapshot {
  status: ContractStatus;
  balance: bigint;
  stake: bigint;
  tokensUsed: bigint;
  secretHash: Buffer;
}

export type ProxyContractEvent =
  | { kind: 'save-state'; lt: bigint; from: Address | null; seqno: number; sessionHash: Buffer }
  | { kind: 'client'; lt: bigint; from: Address | null; ownerAddress: Address; state: ClientStateSnapshot; payload: ClientPayload | null }
  | { kind: 'worker'; lt: bigint; from: Address | null; ownerAddress: Address; status: ContractStatus; tokens: bigint; payout: { workerPart: bigint; proxyPart: bigint } | null };

export type ClientPayload =
  | { kind: 'top-up'; coins: bigint }
  | { kind: 'register'; nonce: bigint }
  | { kind: 'refund-granted'; coins: bigint }
  | { kind: 'refund-force'; coins: bigint }
  | { kind: 'unknown'; op: number };

/** The event carried by one transaction of the proxy contract, or null. */
export function parseProxyContractTransaction(transaction: Transaction): ProxyContractEvent | null {
  const description = transaction.description;
  if (description.type !== 'generic') return null;
  const message = transaction.inMessage;
  if (!message || message.info.type !== 'internal') return null;
  const from = message.info.src;
  let event: ProxyContractEvent | null;
  try {
    event = parseBody(message.body.beginParse(), transaction.lt, from);
  } catch {
    return null; // not one of ours: bodies we cannot parse are ignored
  }
  // A save-state carries 1 nanoTON and buys no gas: its delivery (the transaction) is the mark,
  // authenticated by the sender and the session hash. Notifications count only if the contract accepted them.
  if (event?.kind === 'save-state') return event;
  const accepted = !description.aborted && description.computePhase.type === 'vm' && description.computePhase.success;
  return accepted ? event : null;
}

function parseBody(slice: Slice, lt: bigint, from: Address | null): ProxyContractEvent | null {
  if (slice.remainingBits < 32) return null;
  const op = slice.loadUint(32);
  if (op === OP_DO_NOT_PROCESS) {
    slice.loadUintBig(64);
    if (slice.loadUint(32) !== OP_PROXY_SAVE_STATE) return null;
    const seqno = slice.loadInt(32);
    const sessionHash = Buffer.from(slice.loadUintBig(256).toString(16).padStart(64, '0'), 'hex');
    return { kind: 'save-state', lt, from, seqno, sessionHash };
  }
  if (op === OP_CLIENT_PROXY_REQUEST) {
    slice.loadUintBig(64);
    const ownerAddress = slice.loadAddress();
    const state = parseClientState(slice.loadRef());
    const payloadCell = slice.loadMaybeRef();
    return { kind: 'client', lt, from, ownerAddress, state, payload: payloadCell ? parseClientPayload(payloadCell) : null };
  }
  if (op === OP_WORKER_PROXY_REQUEST) {
    slice.loadUintBig(64);
    const ownerAddress = slice.loadAddress();
    const status = contractStatusOf(slice.loadUint(2));
    const tokens = slice.loadUintBig(64);
    const payloadCell = slice.loadMaybeRef();
    let payout: { workerPart: bigint; proxyPart: bigint } | null = null;
    if (payloadCell) {
      const payload = payloadCell.beginParse();
      if (payload.loadUint(32) === OP_WORKER_PROXY_PAYOUT_REQUEST) payout = { workerPart: payload.loadCoins(), proxyPart: payload.loadCoins() };
    }
    return { kind: 'worker', lt, from, ownerAddress, status, tokens, payout };
  }
  return null;
}

function parseClientState(cell: Cell): ClientStateSnapshot {
  const slice = cell.beginParse();
  return {
    status: contractStatusOf(slice.loadUint(2)),
    balance: slice.loadCoins(),
    stake: slice.loadCoins(),
    tokensUsed: slice.loadUintBig(64),
    secretHash: Buffer.from(slice.loadUintBig(256).toString(16).padStart(64, '0'), 'hex'),
  };
}

function parseClientPayload(cell: Cell): ClientPayload {
  const slice = cell.beginParse();
  const op = slice.loadUint(32);
  switch (op) {
    case OP_CLIENT_PROXY_TOP_UP: return { kind: 'top-up', coins: slice.loadCoins() };
    case OP_CLIENT_PROXY_REGISTER: return { kind: 'register', nonce: slice.loadUintBig(64) };
    case OP_CLIENT_PROXY_REFUND_GRANTED: return { kind: 'refund-granted', coins: slice.loadCoins() };
    case OP_CLIENT_PROXY_REFUND_FORCE: return { kind: 'refund-force', coins: slice.loadCoins() };
    default: return { kind: 'unknown', op };
  }
}
