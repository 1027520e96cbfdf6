/**
 * Reads the persistent data of proxy, client and worker contracts (§6.1 layouts) straight
 * from an account's data cell, so runners can mirror contract state from any `Chain`
 * without running get methods.
 */
import type { Address, Cell, Slice } from '@ton/core';
import { CocoonError } from '@cocoon/protocol';
import type { Chain } from '../chain/chain.ts';
import { loadCocoonParams, type CocoonParams } from '../params/cocoon-params.ts';

/** Contract `state` (§6.1): 0 normal, 1 closing, 2 closed. */
export type ContractStatus = 'normal' | 'closing' | 'closed';

export function contractStatusOf(state: number): ContractStatus {
  if (state === 0) return 'normal';
  if (state === 1) return 'closing';
  if (state === 2) return 'closed';
  throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `unknown contract state ${state}`);
}

export interface ProxyContractData {
  ownerAddress: Address;
  proxyPublicKey: Buffer;
  rootAddress: Address;
  status: ContractStatus;
  balance: bigint;
  stake: bigint;
  unlockTs: number;
  params: CocoonParams;
}

export interface ClientContractData {
  status: ContractStatus;
  balance: bigint;
  stake: bigint;
  tokensUsed: bigint;
  unlockTs: number;
  secretHash: Buffer;
  ownerAddress: Address;
  proxyAddress: Address;
  proxyPublicKey: Buffer;
  params: CocoonParams;
}

export interface WorkerContractData {
  ownerAddress: Address;
  proxyAddress: Address;
  proxyPublicKey: Buffer;
  status: ContractStatus;
  tokens: bigint;
  params: CocoonParams;
}

const uint256 = (value: bigint): Buffer => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');

/** Runs `read` on the data cell; a cell that does not fit the layout is CCN_ERR_TON_CONTRACT_MISMATCH. */
function parseData<T>(what: string, data: Cell, read: (slice: Slice) => T): T {
  try {
    return read(data.beginParse());
  } catch (error) {
    if (error instanceof CocoonError) throw error;
    throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `malformed ${what} contract data: ${(error as Error).message}`, { cause: error });
  }
}

export function parseProxyContractData(data: Cell): ProxyContractData {
  return parseData('proxy', data, (slice) => ({
    ownerAddress: slice.loadAddress(),
    proxyPublicKey: uint256(slice.loadUintBig(256)),
    rootAddress: slice.loadAddress(),
    status: contractStatusOf(slice.loadUint(2)),
    balance: slice.loadCoins(),
    stake: slice.loadCoins(),
    unlockTs: slice.loadUint(32),
    params: loadCocoonParams(slice.loadRef()),
  }));
}

export function parseClientContractData(data: Cell): ClientContractData {
  return parseData('client', data, (slice) => {
    const status = contractStatusOf(slice.loadUint(2));
    const balance = slice.loadCoins();
    const stake = slice.loadCoins();
    const tokensUsed = slice.loadUintBig(64);
    const unlockTs = slice.loadUint(32);
    const secretHash = uint256(slice.loadUintBig(256));
    const constants = slice.loadRef().beginParse();
    const params = loadCocoonParams(slice.loadRef());
    return {
      status, balance, stake, tokensUsed, unlockTs, secretHash,
      ownerAddress: constants.loadAddress(),
      proxyAddress: constants.loadAddress(),
      proxyPublicKey: uint256(constants.loadUintBig(256)),
      params,
    };
  });
}

export function parseWorkerContractData(data: Cell): WorkerContractData {
  return parseData('worker', data, (slice) => ({
    ownerAddress: slice.loadAddress(),
    proxyAddress: slice.loadAddress(),
    proxyPublicKey: uint256(slice.loadUintBig(256)),
    status: contractStatusOf(slice.loadUint(2)),
    tokens: slice.loadUintBig(64),
    params: loadCocoonParams(slice.loadRef()),
  }));
}

/** The parsed data of an active contract, or undefined if it is not deployed (yet). */
export async function readContractData<T>(chain: Chain, address: Address, parse: (data: Cell) => T): Promise<{ data: T; balance: bigint } | undefined> {
  const account = await chain.getAccount(address);
  if (account.state !== 'active' || !account.data) return undefined;
  return { data: parse(account.data), balance: account.balance };
}
