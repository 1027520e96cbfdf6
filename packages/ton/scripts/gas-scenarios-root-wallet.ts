/**
 * Gas-table scenarios for the root contract and the cocoon wallet: each scenario builds a fresh
 * sandbox, performs one operation and reports the gas and total fees of the contract's transaction.
 * Consumed by scripts/gas-table.ts.
 */
import { beginCell, loadMessage, toNano, type Address, type Transaction } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { Blockchain, type SandboxContract, type TreasuryContract } from '@ton/sandbox';
import { loadContractCode } from '../src/contracts/contract-compiler.ts';
import { devCocoonParams } from '../src/params/cocoon-params.ts';
import { ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON, buildSignedPublicKeyBody } from '../src/root/signed-public-key.ts';
import { CocoonRootContract, type RootAdminMessage } from '../src/wrappers/cocoon-root-contract.ts';
import { CocoonWalletContract, type WalletMessage } from '../src/wrappers/cocoon-wallet-contract.ts';

export interface GasScenarioResult {
  gasUsed: bigint;
  totalFees: bigint;
}

export interface GasScenario {
  name: string;
  run(): Promise<GasScenarioResult>;
}

/** Gas and fees of the (first) transaction on `address`; throws when it failed. */
function measure(transactions: Transaction[], address: Address): GasScenarioResult {
  const transaction = transactions.find((candidate) => {
    const destination = candidate.inMessage?.info.dest;
    return destination !== undefined && destination !== null && 'hash' in destination && destination.equals(address);
  });
  if (!transaction) throw new Error(`no transaction on ${address.toString()}`);
  const description = transaction.description;
  if (description.type !== 'generic' || description.computePhase.type !== 'vm') throw new Error('compute phase skipped');
  if (description.computePhase.exitCode !== 0) throw new Error(`exit code ${description.computePhase.exitCode}`);
  return { gasUsed: description.computePhase.gasUsed, totalFees: transaction.totalFees.coins };
}

function optionalCode(name: 'proxy' | 'worker' | 'client') {
  try {
    return loadContractCode(name);
  } catch {
    return beginCell().storeStringTail(name).endCell();
  }
}

async function deployedRoot(): Promise<{ owner: SandboxContract<TreasuryContract>; root: SandboxContract<CocoonRootContract> }> {
  const blockchain = await Blockchain.create();
  const owner = await blockchain.treasury('root-owner');
  const params = devCocoonParams({ proxyCode: optionalCode('proxy'), workerCode: optionalCode('worker'), clientCode: optionalCode('client') });
  const root = blockchain.openContract(CocoonRootContract.fromConfig({ owner: owner.address, params, proxyHashes: [Buffer.alloc(32, 1)] }));
  await root.sendDeploy(owner.getSender(), toNano('0.5'));
  return { owner, root };
}

function rootAdminScenario(name: string, message: RootAdminMessage): GasScenario {
  return {
    name,
    run: async () => {
      const { owner, root } = await deployedRoot();
      const result = await root.sendAdmin(owner.getSender(), { value: toNano('0.05'), message });
      return measure(result.transactions, root.address);
    },
  };
}

const keyPair = keyPairFromSeed(Buffer.alloc(32, 0x11));
const keyManagerPair = keyPairFromSeed(Buffer.alloc(32, 0x4b));

/** A root naming a key manager and holding a day of its keys (one an hour, valid 24 h). */
function signedPublicKeyScenario(name: string, storedKeys: number): GasScenario {
  return {
    name,
    run: async () => {
      const blockchain = await Blockchain.create();
      const now = Math.floor(Date.now() / 1000);
      blockchain.now = now;
      const owner = await blockchain.treasury('root-owner');
      const relayer = await blockchain.treasury('key-manager-wallet');
      const params = devCocoonParams({ proxyCode: optionalCode('proxy'), workerCode: optionalCode('worker'), clientCode: optionalCode('client') });
      const registeredPublicKeys = Array.from({ length: storedKeys }, (_, index) => ({ publicKey: Buffer.alloc(32, 0x80 + index), keyType: 1, expireAt: now + 3600 * (index + 1) }));
      const root = blockchain.openContract(CocoonRootContract.fromConfig({
        owner: owner.address, params, registeredPublicKeys,
        keyManager: { publicKey: keyManagerPair.publicKey, imageHash: Buffer.alloc(32, 1), address: '203.0.113.9:13001' },
      }));
      await root.sendDeploy(owner.getSender(), toNano('0.5'));
      const body = buildSignedPublicKeyBody(keyManagerPair.secretKey, {
        publicKey: Buffer.alloc(32, 0x20), keyType: 1, expireAt: now + 86_400, queryId: 7n, sendExcessesTo: relayer.address,
      });
      const result = await relayer.send({ to: root.address, value: ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON, body });
      return measure(result.transactions, root.address);
    },
  };
}

async function walletWithOwner() {
  const blockchain = await Blockchain.create();
  const owner = await blockchain.treasury('wallet-owner');
  const wallet = blockchain.openContract(CocoonWalletContract.fromConfig({ publicKey: keyPair.publicKey, ownerAddress: owner.address }));
  await owner.send({ to: wallet.address, value: toNano('10'), bounce: false });
  const sendExternal = async (seqno: number, messages: WalletMessage[]) => {
    const body = CocoonWalletContract.signedTransferBody({
      secretKey: keyPair.secretKey, seqno, messages, validUntil: Math.floor(Date.now() / 1000) + 3600,
    });
    const external = CocoonWalletContract.externalMessage(wallet.address, body, seqno === 0 ? wallet.init : null);
    return blockchain.sendMessage(loadMessage(external.beginParse()));
  };
  return { owner, wallet, sendExternal };
}

export const rootWalletGasScenarios: GasScenario[] = [
  {
    name: 'root: deploy',
    run: async () => {
      const blockchain = await Blockchain.create();
      const owner = await blockchain.treasury('root-owner');
      const params = devCocoonParams({ proxyCode: optionalCode('proxy'), workerCode: optionalCode('worker'), clientCode: optionalCode('client') });
      const root = blockchain.openContract(CocoonRootContract.fromConfig({ owner: owner.address, params }));
      const result = await root.sendDeploy(owner.getSender(), toNano('0.5'));
      return measure(result.transactions, root.address);
    },
  },
  rootAdminScenario('root: add worker hash', { type: 'addWorkerHash', hash: Buffer.alloc(32, 2) }),
  rootAdminScenario('root: register proxy', { type: 'registerProxy', address: '203.0.113.7:8801' }),
  rootAdminScenario('root: change fees', { type: 'changeFees', pricePerToken: 30n, workerFeePerToken: 25n }),
  rootAdminScenario('root: change params', {
    type: 'changeParams', pricePerToken: 30n, workerFeePerToken: 25n, proxyDelayBeforeClose: 600,
    clientDelayBeforeClose: 300, minProxyStake: toNano('1'), minClientStake: toNano('1'),
  }),
  rootAdminScenario('root: change key manager', {
    type: 'changeKeyManager', publicKey: Buffer.alloc(32, 3), imageHash: Buffer.alloc(32, 4), address: '203.0.113.9:13001',
  }),
  rootAdminScenario('root: add public key (owner)', { type: 'addPublicKey', publicKey: Buffer.alloc(32, 5), keyType: 1, expireAt: 0xffff_fff0 }),
  signedPublicKeyScenario('root: add public key signed (empty)', 0),
  signedPublicKeyScenario('root: add public key signed (24 stored)', 24),
  {
    name: 'wallet: deploy + 1 message (external)',
    run: async () => {
      const { owner, wallet, sendExternal } = await walletWithOwner();
      const result = await sendExternal(0, [{ to: owner.address, value: toNano('0.1') }]);
      return measure(result.transactions, wallet.address);
    },
  },
  {
    name: 'wallet: 4 messages (external)',
    run: async () => {
      const { owner, wallet, sendExternal } = await walletWithOwner();
      await sendExternal(0, [{ to: owner.address, value: 1n }]);
      const result = await sendExternal(1, [1, 2, 3, 4].map(() => ({ to: owner.address, value: toNano('0.1') })));
      return measure(result.transactions, wallet.address);
    },
  },
  {
    name: 'wallet: owner "w" withdraw',
    run: async () => {
      const { owner, wallet, sendExternal } = await walletWithOwner();
      await sendExternal(0, [{ to: owner.address, value: 1n }]);
      const result = await wallet.sendWithdraw(owner.getSender(), toNano('0.05'));
      return measure(result.transactions, wallet.address);
    },
  },
  {
    name: 'wallet: owner_wallet_send_message',
    run: async () => {
      const { owner, wallet, sendExternal } = await walletWithOwner();
      await sendExternal(0, [{ to: owner.address, value: 1n }]);
      const result = await wallet.sendOwnerSendMessage(owner.getSender(), { value: toNano('0.05'), message: { to: owner.address, value: toNano('0.5') } });
      return measure(result.transactions, wallet.address);
    },
  },
];
