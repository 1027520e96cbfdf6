/**
 * Initial data cells of the proxy, client and worker contracts (§6.1) and their addresses
 * (workchain 0, hash of StateInit{code, data}). Must match common/storage.tolk exactly: the
 * proxy contract re-derives client/worker addresses on chain to authenticate their requests.
 */
import { type Address, beginCell, type Cell, contractAddress } from '@ton/core';
import { type CocoonParams, paramsForProxy, paramsWithoutCode, storeCocoonParams } from '../params/cocoon-params.ts';

export const ContractState = { normal: 0, closing: 1, closed: 2 } as const;

export interface ProxyContractConfig {
  ownerAddress: Address;
  /** 32-byte Ed25519 public key of the proxy. */
  proxyPublicKey: Buffer;
  rootAddress: Address;
  /** Full params (as the root holds them); the proxy stores `paramsForProxy`. */
  params: CocoonParams;
}

export interface ClientContractConfig {
  ownerAddress: Address;
  proxyAddress: Address;
  proxyPublicKey: Buffer;
  /** Full params; the client stores `paramsWithoutCode` and starts with stake = min_client_stake. */
  params: CocoonParams;
}

export interface WorkerContractConfig {
  ownerAddress: Address;
  proxyAddress: Address;
  proxyPublicKey: Buffer;
  params: CocoonParams;
}

/** 32 big-endian bytes → uint256. */
export function bufferToUint256(bytes: Buffer): bigint {
  if (bytes.length !== 32) throw new RangeError(`expected 32 bytes, got ${bytes.length}`);
  return BigInt(`0x${bytes.toString('hex')}`);
}

/** uint256 → 32 big-endian bytes. */
export function uint256ToBuffer(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

export function proxyContractData(config: ProxyContractConfig): Cell {
  return beginCell()
    .storeAddress(config.ownerAddress)
    .storeUint(bufferToUint256(config.proxyPublicKey), 256)
    .storeAddress(config.rootAddress)
    .storeUint(ContractState.normal, 2)
    .storeCoins(0n)
    .storeCoins(0n)
    .storeUint(0, 32)
    .storeRef(storeCocoonParams(paramsForProxy(config.params)))
    .endCell();
}

export function clientContractData(config: ClientContractConfig): Cell {
  const constData = beginCell()
    .storeAddress(config.ownerAddress)
    .storeAddress(config.proxyAddress)
    .storeUint(bufferToUint256(config.proxyPublicKey), 256)
    .endCell();
  return beginCell()
    .storeUint(ContractState.normal, 2)
    .storeCoins(0n)
    .storeCoins(config.params.minClientStake)
    .storeUint(0n, 64)
    .storeUint(0, 32)
    .storeUint(0n, 256)
    .storeRef(constData)
    .storeRef(storeCocoonParams(paramsWithoutCode(config.params)))
    .endCell();
}

export function workerContractData(config: WorkerContractConfig): Cell {
  return beginCell()
    .storeAddress(config.ownerAddress)
    .storeAddress(config.proxyAddress)
    .storeUint(bufferToUint256(config.proxyPublicKey), 256)
    .storeUint(ContractState.normal, 2)
    .storeUint(0n, 64)
    .storeRef(storeCocoonParams(paramsWithoutCode(config.params)))
    .endCell();
}

/** Workchain-0 address of code + data. */
export function settlementContractAddress(code: Cell, data: Cell): Address {
  return contractAddress(0, { code, data });
}
