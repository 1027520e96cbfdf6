/**
 * §3.1 step 3: recompute the proxy contract address from (proxy key, proxy owner, root
 * params, root address) and the client contract address from (own wallet, proxy contract,
 * proxy key, params); any difference from what the proxy announced is a protocol violation.
 */
import { Address } from '@ton/core';
import { CocoonError } from '@cocoon/protocol';
import { deriveClientContract, deriveProxyContract, sameAddress, type DerivedContract } from '@cocoon/ton';
import type { ClientChainAccountContext, ProxyContractIdentity } from './client-chain-context.ts';

export interface VerifiedProxyContracts {
  proxyAddress: Address;
  clientContract: DerivedContract;
}

function mismatch(message: string, param: string): never {
  throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', message, { param });
}

export function verifyProxyContracts(
  context: Pick<ClientChainAccountContext, 'params' | 'rootAddress' | 'wallet'>, identity: ProxyContractIdentity,
): VerifiedProxyContracts {
  if (!Buffer.isBuffer(identity.proxyPublicKey) || identity.proxyPublicKey.length !== 32) mismatch('proxy public key must be 32 bytes', 'proxy_public_key');
  let proxyOwner: Address;
  try {
    proxyOwner = Address.parse(identity.proxyOwnerAddress);
  } catch {
    mismatch(`proxy owner address ${JSON.stringify(identity.proxyOwnerAddress.slice(0, 100))} does not parse`, 'proxy_owner_address');
  }
  const proxy = deriveProxyContract(context.params, proxyOwner, identity.proxyPublicKey, context.rootAddress);
  if (!sameAddress(identity.proxyContractAddress, proxy.address)) {
    mismatch(`proxy contract ${identity.proxyContractAddress} is not the one derived from its key, owner and the root (${proxy.address.toString()})`, 'proxy_sc_address');
  }
  const client = deriveClientContract(context.params, context.wallet.address, proxy.address, identity.proxyPublicKey);
  if (!sameAddress(identity.clientContractAddress, client.address)) {
    mismatch(`client contract ${identity.clientContractAddress} is not the one derived for this wallet (${client.address.toString()})`, 'client_sc_address');
  }
  return { proxyAddress: proxy.address, clientContract: client };
}
