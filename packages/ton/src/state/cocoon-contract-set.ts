/**
 * The contracts of one proxy instance as every runner derives them (§6.1, §3.1 step 3):
 * the proxy contract from (owner, proxy key, root, params), and the client and worker
 * contracts of any owner at that proxy. Address = hash(StateInit{code, data}) on
 * workchain 0, the same derivation the proxy contract uses to authenticate senders.
 */
import { Address, contractAddress, type Cell, type StateInit } from '@ton/core';
import { CocoonError } from '@cocoon/protocol';
import type { CocoonParams } from '../params/cocoon-params.ts';
import { clientContractData, proxyContractData, workerContractData } from '../addresses/settlement-contract-data.ts';

export interface DerivedContract {
  address: Address;
  init: StateInit;
}

function derived(code: Cell | null, what: string, data: Cell): DerivedContract {
  if (!code) throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `root params carry no ${what} code`);
  const init = { code, data };
  return { address: contractAddress(0, init), init };
}

export function deriveProxyContract(params: CocoonParams, ownerAddress: Address, proxyPublicKey: Buffer, rootAddress: Address): DerivedContract {
  return derived(params.proxyCode, 'proxy', proxyContractData({ ownerAddress, proxyPublicKey, rootAddress, params }));
}

export function deriveClientContract(params: CocoonParams, ownerAddress: Address, proxyAddress: Address, proxyPublicKey: Buffer): DerivedContract {
  return derived(params.clientCode, 'client', clientContractData({ ownerAddress, proxyAddress, proxyPublicKey, params }));
}

export function deriveWorkerContract(params: CocoonParams, ownerAddress: Address, proxyAddress: Address, proxyPublicKey: Buffer): DerivedContract {
  return derived(params.workerCode, 'worker', workerContractData({ ownerAddress, proxyAddress, proxyPublicKey, params }));
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
