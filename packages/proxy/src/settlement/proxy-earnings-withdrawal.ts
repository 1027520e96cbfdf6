/**
 * The proxy operator's `/request/withdraw` (§6.7, §8.2): sends `ext_proxy_payout_request` (0.2 TON)
 * from the proxy's wallet to its contract, which pays the accumulated earnings (`balance`) to the
 * proxy owner; waits until the wallet external is applied and answers what moved.
 */
import { CocoonError } from '@cocoon/protocol';
import { CocoonProxyContract, parseProxyContractData, readContractData } from '@cocoon/ton';
import type { ProxyChainSetup } from './proxy-chain-setup.ts';

/** Attached to the payout request (the contract needs ≥ 0.1 TON; the rest comes back as excesses). */
export const PROXY_WITHDRAW_VALUE = 200_000_000n;

export async function withdrawProxyEarnings(onChain: Pick<ProxyChainSetup, 'chain' | 'wallet' | 'settlement'>, now: () => number = Date.now): Promise<Record<string, unknown>> {
  const { chain, wallet } = onChain;
  const contract = onChain.settlement.proxyAddress;
  const before = await readContractData(chain, contract, parseProxyContractData);
  if (!before) throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `proxy contract ${contract.toString()} is not deployed yet`);
  await wallet.ensureBalance();
  const sent = await wallet.sendMessages([{
    to: contract, value: PROXY_WITHDRAW_VALUE,
    body: CocoonProxyContract.payoutRequestBody({ queryId: BigInt(now()), sendExcessesTo: wallet.address }),
  }]);
  await wallet.waitForSeqno(sent.seqno);
  const after = await readContractData(chain, contract, parseProxyContractData);
  return {
    sc_address: contract.toString(), owner_address: before.data.ownerAddress.toString(),
    earnings_before: before.data.balance, earnings_after: after?.data.balance ?? 0n, paid_to_owner: before.data.balance - (after?.data.balance ?? 0n),
    wallet_seqno: sent.seqno, external_hash: sent.externalHash,
  };
}
