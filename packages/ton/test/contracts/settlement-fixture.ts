/**
 * Sandbox fixture for the proxy/client/worker contract tests (@ton/test-utils is not installed):
 * a blockchain with a deployed proxy contract, the client and worker contracts of test owners,
 * a proxy key pair, and helpers to find the transaction of a message and read its exit code.
 */
import { type Address, type Cell, toNano, type Transaction } from '@ton/core';
import { Blockchain, type SandboxContract, type TreasuryContract } from '@ton/sandbox';
import { keyPairFromSeed, type KeyPair } from '@ton/crypto';
import { loadContractCode } from '../../src/contracts/contract-compiler.ts';
import { type CocoonParams, devCocoonParams } from '../../src/params/cocoon-params.ts';
import { CocoonProxyContract } from '../../src/wrappers/cocoon-proxy-contract.ts';
import { CocoonClientContract } from '../../src/wrappers/cocoon-client-contract.ts';
import { CocoonWorkerContract } from '../../src/wrappers/cocoon-worker-contract.ts';
import { signPayment } from '../../src/payments/signed-payment.ts';

export const START_TIME = 1_800_000_000;

export interface SettlementFixture {
  blockchain: Blockchain;
  params: CocoonParams;
  proxyKeys: KeyPair;
  proxyOwner: SandboxContract<TreasuryContract>;
  clientOwner: SandboxContract<TreasuryContract>;
  workerOwner: SandboxContract<TreasuryContract>;
  stranger: SandboxContract<TreasuryContract>;
  proxy: SandboxContract<CocoonProxyContract>;
  client: SandboxContract<CocoonClientContract>;
  worker: SandboxContract<CocoonWorkerContract>;
}

export function settlementParams(): CocoonParams {
  return devCocoonParams({ proxyCode: loadContractCode('proxy'), workerCode: loadContractCode('worker'), clientCode: loadContractCode('client') });
}

/** Blockchain at START_TIME with the proxy contract deployed (stake = min_proxy_stake). */
export async function createSettlementFixture(): Promise<SettlementFixture> {
  const blockchain = await Blockchain.create();
  blockchain.now = START_TIME;
  const params = settlementParams();
  const proxyKeys = keyPairFromSeed(Buffer.alloc(32, 7));
  const proxyOwner = await blockchain.treasury('proxy-owner');
  const clientOwner = await blockchain.treasury('client-owner');
  const workerOwner = await blockchain.treasury('worker-owner');
  const stranger = await blockchain.treasury('stranger');
  const root = await blockchain.treasury('root');
  const proxy = blockchain.openContract(CocoonProxyContract.fromConfig({
    ownerAddress: proxyOwner.address, proxyPublicKey: proxyKeys.publicKey, rootAddress: root.address, params,
  }));
  await proxy.sendIncreaseStake(proxyOwner.getSender(), {
    value: toNano('0.3') + params.minProxyStake, queryId: 1n, grams: params.minProxyStake, sendExcessesTo: proxyOwner.address,
  });
  const partyConfig = { proxyAddress: proxy.address, proxyPublicKey: proxyKeys.publicKey, params };
  const client = blockchain.openContract(CocoonClientContract.fromConfig({ ...partyConfig, ownerAddress: clientOwner.address }));
  const worker = blockchain.openContract(CocoonWorkerContract.fromConfig({ ...partyConfig, ownerAddress: workerOwner.address }));
  return { blockchain, params, proxyKeys, proxyOwner, clientOwner, workerOwner, stranger, proxy, client, worker };
}

/** Deploys the client contract with a top-up of `amount`. */
export async function deployClient(fixture: SettlementFixture, amount: bigint): Promise<Transaction[]> {
  const result = await fixture.client.sendTopUp(fixture.clientOwner.getSender(), {
    value: toNano('0.8') + amount, queryId: 2n, amount, sendExcessesTo: fixture.clientOwner.address,
  });
  return result.transactions;
}

/** A signed envelope from the fixture's proxy key. */
export function signed(fixture: SettlementFixture, op: number, expectedAddress: Address, newTokens?: bigint, queryId = 7n): Cell {
  return signPayment({
    op, queryId, expectedAddress, secretKey: fixture.proxyKeys.secretKey, sendExcessesTo: fixture.proxyOwner.address,
    ...(newTokens === undefined ? {} : { newTokens }),
  });
}

export interface TransactionFilter {
  to: Address;
  from?: Address;
  op?: number;
}

function opOf(transaction: Transaction): number | undefined {
  const body = transaction.inMessage?.body.beginParse();
  return body && body.remainingBits >= 32 ? body.loadUint(32) : undefined;
}

/** First transaction whose inbound message matches `filter`. */
export function findTransaction(transactions: Transaction[], filter: TransactionFilter): Transaction | undefined {
  return transactions.find((transaction) => {
    const info = transaction.inMessage?.info;
    if (!info || info.type !== 'internal') return false;
    if (!info.dest.equals(filter.to)) return false;
    if (filter.from && !info.src.equals(filter.from)) return false;
    return filter.op === undefined || opOf(transaction) === filter.op;
  });
}

/** Compute exit code of the matching transaction (throws when there is none). */
export function exitCodeOf(transactions: Transaction[], filter: TransactionFilter): number {
  const transaction = findTransaction(transactions, filter);
  if (!transaction) throw new Error(`no transaction to ${filter.to.toString()} (op ${filter.op?.toString(16)})`);
  const description = transaction.description;
  if (description.type !== 'generic' || description.computePhase.type !== 'vm') return -1;
  return description.computePhase.exitCode;
}

/**
 * True when every executed transaction succeeded (compute and action phases). A skipped compute
 * phase (a tiny payout to a wallet buys no gas) still credits the coins, so it counts as success.
 */
export function allSucceeded(transactions: Transaction[]): boolean {
  return transactions.every((transaction) => {
    const description = transaction.description;
    if (description.type !== 'generic' || description.computePhase.type === 'skipped') return true;
    return description.computePhase.success && !description.aborted;
  });
}

/** Value (nanoTON) of the inbound message of the matching transaction. */
export function inboundValue(transactions: Transaction[], filter: TransactionFilter): bigint {
  const info = findTransaction(transactions, filter)?.inMessage?.info;
  if (!info || info.type !== 'internal') throw new Error(`no message to ${filter.to.toString()}`);
  return info.value.coins;
}
