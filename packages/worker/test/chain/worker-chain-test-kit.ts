/**
 * A small on-chain world for the worker chain tests, on a SandboxChain with the real compiled
 * contracts: a root with dev params, a deployed proxy contract (derived exactly as runners derive
 * it), a funded worker node wallet, signed payouts from the proxy key, and a capturing logger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address, contractAddress, toNano, type Cell } from '@ton/core';
import { keyPairFromSeed, type KeyPair } from '@ton/crypto';
import { createLogger, type Logger, type TlObject } from '@cocoon/protocol';
import {
  buildRootState,
  deriveProxyContract,
  deriveWorkerContract,
  devCocoonParams,
  loadContractCode,
  RunnerWallet,
  SignedPaymentOp,
  signPayment,
  type CocoonParams,
} from '@cocoon/ton';
import { SandboxChain } from '@cocoon/ton/emulator';
import { WorkerChainAccount, type WorkerChainAccountOptions } from '../../src/chain/index.ts';

export interface WorkerChainWorld {
  chain: SandboxChain;
  params: CocoonParams;
  rootAddress: Address;
  proxyKey: KeyPair;
  proxyOwner: Address;
  proxyContract: Address;
  workerOwner: Address;
  workerContract: Address;
  proxyParams: TlObject;
  logLines: string[];
  logger: Logger;
}

const seed = (byte: number): Buffer => Buffer.alloc(32, byte);

export async function createWorkerChainWorld(): Promise<WorkerChainWorld> {
  const chain = await SandboxChain.create();
  const params = devCocoonParams({ proxyCode: loadContractCode('proxy'), workerCode: loadContractCode('worker'), clientCode: loadContractCode('client') });
  const deployer = await chain.blockchain.treasury('deployer');
  const rootInit = { code: loadContractCode('root'), data: buildRootState({ owner: deployer.address, params }) };
  const rootAddress = contractAddress(0, rootInit);
  await deployer.send({ to: rootAddress, value: toNano('1'), init: rootInit, bounce: false });
  const proxyKey = keyPairFromSeed(seed(0x51));
  const proxyOwner = new Address(0, seed(0x52));
  const proxy = deriveProxyContract(params, proxyOwner, proxyKey.publicKey, rootAddress);
  await deployer.send({ to: proxy.address, value: toNano('100'), init: proxy.init, bounce: false });
  const workerOwner = new Address(0, seed(0x77));
  const workerContract = deriveWorkerContract(params, workerOwner, proxy.address, proxyKey.publicKey).address;
  const logLines: string[] = [];
  return {
    chain, params, rootAddress, proxyKey, proxyOwner, proxyContract: proxy.address, workerOwner, workerContract,
    proxyParams: {
      _: 'proxy.params', flags: 1, proxy_public_key: proxyKey.publicKey, proxy_owner_address: proxyOwner.toString(),
      proxy_sc_address: proxy.address.toString(), is_test: true,
    },
    logLines,
    logger: createLogger('worker-test', { level: 'debug', write: (line) => logLines.push(line) }),
  };
}

/** A node wallet of the worker (owner = the worker owner), funded with `fundTon` TON (0 = unfunded). */
export async function createWorkerWallet(world: WorkerChainWorld, fundTon: string, seedByte = 0x61): Promise<RunnerWallet> {
  const wallet = new RunnerWallet({
    chain: world.chain, keyPair: keyPairFromSeed(seed(seedByte)), ownerAddress: world.workerOwner,
    logger: world.logger, pollIntervalMs: 1, sleep: async () => undefined,
  });
  if (toNano(fundTon) > 0n) await world.chain.fund(wallet.address, toNano(fundTon));
  return wallet;
}

const stateDirectories: string[] = [];

/** A fresh temporary ledger directory (removed by `removeStateDirectories`). */
export function newStateDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'worker-chain-'));
  stateDirectories.push(directory);
  return directory;
}

export function removeStateDirectories(): void {
  for (const directory of stateDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
}

export function createAccount(world: WorkerChainWorld, wallet: RunnerWallet, overrides: Partial<WorkerChainAccountOptions> = {}): WorkerChainAccount {
  return new WorkerChainAccount({
    chain: world.chain, wallet, ownerAddress: world.workerOwner, rootAddress: world.rootAddress,
    stateDirectory: overrides.stateDirectory ?? newStateDirectory(),
    payoutThresholdNanoton: toNano('10'), paymentStatusIntervalMs: 10_000, logger: world.logger,
    confirmTimeoutMs: 5_000, pollIntervalMs: 1, sleep: async () => undefined, random: () => 0.5,
    ...overrides,
  });
}

/** A `proxy.signedPayment` payout for `tokens`, signed by `secretKey` (default: the proxy key) for `target`. */
export function signedPayout(world: WorkerChainWorld, tokens: bigint, options: { secretKey?: Buffer; target?: Address; op?: number; queryId?: bigint } = {}): TlObject {
  const cell: Cell = signPayment({
    op: options.op ?? SignedPaymentOp.workerPayout, queryId: options.queryId ?? tokens, newTokens: tokens,
    expectedAddress: options.target ?? world.workerContract, secretKey: options.secretKey ?? world.proxyKey.secretKey,
  });
  return { _: 'proxy.signedPayment', data: cell.toBoc() };
}

export function compareResult(signed: TlObject, dbTokens: bigint, maxTokens: bigint, errorCode = 0): TlObject {
  return { _: 'worker.compareBalanceWithProxyResult', signed_payment: signed, tokens_committed_to_db: dbTokens, max_tokens: maxTokens, error_code: errorCode };
}
