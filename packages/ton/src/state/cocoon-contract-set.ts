/**
 * The contracts of one proxy instance as every runner derives them (§6.1, §3.1 step 3):
 * the proxy contract from (owner, proxy key, root, params), and the client and worker
 * contracts of any owner at that proxy. Address = hash(StateInit{code, data}) on
 * workchain 0, the same derivation the proxy contract uses to authenticate senders.
 */
import { Address, beginCell, contractAddress, type Cell, type StateInit } from '@ton/core';
import { paramsForProxy, paramsWithoutCode, storeCocoonParams, type CocoonParams } from '../params/cocoon-params.ts';
import { CocoonError } from '@cocoon/protocol';

export interface DerivedContract {
  address: Address;
  init: StateInit;
}

const uint256 = (key: Buffer): bigint => BigInt(`0x${key.toString('hex') || '0'}`);

function requireCode(code: Cell | null, what: string): Cell {
  if (!code) throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `root params carry no ${what} code`);
  return code;
}

export function deriveProxyContract(params: CocoonParams, ownerAddress: Address, proxyPublicKey: Buffer, rootAddress: Address): DerivedContract {
  const data = beginCell()
    .storeAddress(ownerAddress).storeUint(uint256(proxyPublicKey), 256).storeAddress(rootAddress)
    .storeUint(0, 2).storeCoins(0n).storeCoins(0n).storeUint(0, 32)
    .storeRef(storeCocoonParams(paramsForProxy(params)))
    .endCell();
  const init = { code: requireCode(params.proxyCode, 'proxy'), data };
  return { address: contractAddress(0, init), init };
}

export function deriveClientContract(params: CocoonParams, ownerAddress: Address, proxyAddress: Address, proxyPublicKey: Buffer): DerivedContract {
  const constants = beginCell().storeAddress(ownerAddress).storeAddress(proxyAddress).storeUint(uint256(proxyPublicKey), 256).endCell();
  const data = beginCell()
    .storeUint(0, 2).storeCoins(0n).storeCoins(params.minClientStake).storeUint(0n, 64).storeUint(0, 32).storeUint(0n, 256)
    .storeRef(constants)
    .storeRef(storeCocoonParams(paramsWithoutCode(params)))
    .endCell();
  const init = { code: requireCode(params.clientCode, 'client'), data };
  return { address: contractAddress(0, init), init };
}

export function deriveWorkerContract(params: CocoonParams, ownerAddress: Address, proxyAddress: Address, proxyPublicKey: Buffer): DerivedContract {
  const data = beginCell()
    .storeAddress(ownerAddress).storeAddress(proxyAddress).storeUint(uint256(proxyPublicKey), 256)
    .storeUint(0, 2).storeUint(0n, 64)
    .storeRef(storeCocoonParams(paramsWithoutCode(params)))
    .endCell();
  const init = { code: requireCode(params.workerCode, 'worker'), data };
  return { address: contractAddress(0, init), init };
}

/** One proxy instance's contracts: the proxy contract plus client/worker contracts per owner. */
export class CocoonContractSet {
  readonly proxy: DerivedContract;

  constructor(
    readonly params: CocoonParams,
    readonly proxyOwner: Address,
    readonly proxyPublicKey: Buffer,
    readonly rootAddress: Address,
  ) {
    this.proxy = deriveProxyContract(params, proxyOwner, proxyPublicKey, rootAddress);
  }

  client(owner: Address): DerivedContract {
    return deriveClientContract(this.params, owner, this.proxy.address, this.proxyPublicKey);
  }

  worker(owner: Address): DerivedContract {
    return deriveWorkerContract(this.params, owner, this.proxy.address, this.proxyPublicKey);
  }
}

/** Address equality across user-friendly and raw spellings; false for unparsable input. */
export function sameAddress(a: string | Address, b: string | Address): boolean {
  try {
    const left = typeof a === 'string' ? Address.parse(a) : a;
    const right = typeof b === 'string' ? Address.parse(b) : b;
    return left.equals(right);
  } catch {
    return false;
  }
}
