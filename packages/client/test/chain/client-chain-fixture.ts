/**
 * SandboxChain fixture for the client chain tests: dev params with the real compiled
 * contracts, a root contract, a proxy contract deployed (with its stake) through a proxy runner wallet, a
 * funded client runner wallet, a controllable clock (sleeps advance it), a captured log,
 * and the identity a proxy would announce in `client.connectedToProxy`.
 */
import { Address, toNano } from '@ton/core';
import { keyPairFromSeed, type KeyPair } from '@ton/crypto';
import { createLogger } from '@cocoon/protocol';
import {
  CocoonProxyContract,
  CocoonRootContract,
  RunnerWallet,
  deriveClientContract,
  deriveProxyContract,
  devCocoonParams,
  loadContractCode,
  type CocoonParams,
} from '@cocoon/ton';
import { SandboxChain } from '@cocoon/ton/emulator';
import { createQueryIdSource, type ClientChainAccountContext, type ProxyContractIdentity } from '../../src/chain/index.ts';

export const START_TIME = 1_800_000_000;

export interface ClientChainFixture {
  chain: SandboxChain;
  params: CocoonParams;
  rootAddress: Address;
  proxyKeys: KeyPair;
  proxyOwner: Address;
  proxyAddress: Address;
  wallet: RunnerWallet;
  context: ClientChainAccountContext;
  identity: ProxyContractIdentity;
  lines: string[];
  /** Moves the clock forward. */
  advance(seconds: number): void;
  nowSeconds(): number;
}

export interface ClientChainFixtureOptions {
  secretString?: string;
  /** nanoTON given to the client wallet. Default 100 TON. */
  walletFunds?: bigint;
  walletSeed?: number;
}

export async function createClientChainFixture(options: ClientChainFixtureOptions = {}): Promise<ClientChainFixture> {
  let nowMs = START_TIME * 1000;
  const now = (): number => nowMs;
  const sleep = async (ms: number): Promise<void> => {
    nowMs += ms;
  };
  const chain = await SandboxChain.create({ now: () => Math.floor(nowMs / 1000) });
  const params = devCocoonParams({ proxyCode: loadContractCode('proxy'), workerCode: loadContractCode('worker'), clientCode: loadContractCode('client') });
  const rootOwner = await chain.blockchain.treasury('root-owner');
  const root = chain.blockchain.openContract(CocoonRootContract.fromConfig({ owner: rootOwner.address, params }));
  await root.sendDeploy(rootOwner.getSender(), toNano('0.5'));
  const rootAddress = root.address;
  const proxyKeys = keyPairFromSeed(Buffer.alloc(32, 7));
  const proxyOwner = new Address(0, Buffer.alloc(32, 0x33));
  const lines: string[] = [];
  const logger = createLogger('client', { write: (line) => lines.push(line), level: 'debug' });
  const walletOptions = { chain, logger, now, sleep, pollIntervalMs: 500 };

  const proxyWallet = new RunnerWallet({ ...walletOptions, keyPair: keyPairFromSeed(Buffer.alloc(32, 8)), ownerAddress: proxyOwner });
  await chain.fund(proxyWallet.address, toNano('50'));
  const proxy = deriveProxyContract(params, proxyOwner, proxyKeys.publicKey, rootAddress);
  const deployed = await proxyWallet.sendMessages([{
    to: proxy.address, value: toNano('0.3') + params.minProxyStake, init: proxy.init, bounce: false,
    body: CocoonProxyContract.increaseStakeBody({ queryId: 1n, grams: params.minProxyStake, sendExcessesTo: proxyWallet.address }),
  }]);
  await proxyWallet.waitForSeqno(deployed.seqno);

  const wallet = new RunnerWallet({
    ...walletOptions, keyPair: keyPairFromSeed(Buffer.alloc(32, options.walletSeed ?? 9)), ownerAddress: new Address(0, Buffer.alloc(32, 0x22)),
  });
  await chain.fund(wallet.address, options.walletFunds ?? toNano('100'));
  const context: ClientChainAccountContext = {
    chain, wallet, rootAddress, params, secretString: options.secretString ?? '', logger, now, sleep,
    pollIntervalMs: 500, waitTimeoutMs: 10_000, nextQueryId: createQueryIdSource(now),
  };
  const identity: ProxyContractIdentity = {
    proxyPublicKey: proxyKeys.publicKey,
    proxyOwnerAddress: proxyOwner.toString({ testOnly: true }),
    proxyContractAddress: proxy.address.toString({ testOnly: true }),
    clientContractAddress: deriveClientContract(params, wallet.address, proxy.address, proxyKeys.publicKey).address.toString({ testOnly: true }),
  };
  return {
    chain, params, rootAddress, proxyKeys, proxyOwner, proxyAddress: proxy.address, wallet, context, identity, lines,
    advance: (seconds) => {
      nowMs += seconds * 1000;
    },
    nowSeconds: () => Math.floor(nowMs / 1000),
  };
}
