/**
 * The shared conformance suite of the `Chain` port: every implementation (sandbox,
 * TonClient → local chain server, …) must fund, deploy and drive a standard V4 wallet
 * the same way, page transactions identically and reject bad input the same way.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell, external, internal, SendMode, storeMessage, toNano, type Cell } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { WalletContractV4 } from '@ton/ton';
import { isCocoonError } from '@cocoon/protocol';
import type { Chain, ChainAccount, ChainFaucet } from '../../src/chain/chain.ts';

/** The chain time every setup must inject (unix seconds). */
export const CONFORMANCE_CHAIN_TIME = 1_700_000_000;

export interface ChainConformanceSetup {
  chain: Chain;
  faucet: ChainFaucet;
  close(): Promise<void>;
}

const keyPair = keyPairFromSeed(Buffer.alloc(32, 7));
const wallet = WalletContractV4.create({ workchain: 0, publicKey: keyPair.publicKey });
const recipient = new Address(0, Buffer.alloc(32, 0x42));

/** A signed external transfer from the test wallet (with its state-init when `deploy`). */
export function walletTransfer(seqno: number, value: bigint, options: { deploy?: boolean; to?: Address } = {}): Cell {
  const body = wallet.createTransfer({
    seqno,
    secretKey: keyPair.secretKey,
    messages: [internal({ to: options.to ?? recipient, value, bounce: false })],
    sendMode: SendMode.PAY_GAS_SEPARATELY + SendMode.IGNORE_ERRORS,
    timeout: CONFORMANCE_CHAIN_TIME + 600,
  });
  const message = external({ to: wallet.address, ...(options.deploy ? { init: wallet.init } : {}), body });
  return beginCell().store(storeMessage(message)).endCell();
}

export const conformanceWallet = { wallet, keyPair, recipient };

/** An account as comparable plain values (Cells compare by hash). */
export function describeAccount(account: ChainAccount): Record<string, unknown> {
  return {
    state: account.state,
    balance: account.balance,
    code: account.code?.hash().toString('hex') ?? null,
    data: account.data?.hash().toString('hex') ?? null,
    lastTransaction: account.lastTransaction ? `${account.lastTransaction.lt}:${account.lastTransaction.hash.toString('hex')}` : null,
  };
}

const isTransactionFailure = (error: unknown): boolean => isCocoonError(error) && error.code === 'CCN_ERR_TON_TRANSACTION_FAILED';

export function runChainConformance(name: string, setup: () => Promise<ChainConformanceSetup>): void {
  const withChain = (title: string, body: (context: ChainConformanceSetup) => Promise<void>): void => {
    test(title, async () => {
      const context = await setup();
      try {
        await body(context);
      } finally {
        await context.close();
      }
    });
  };

  /** Funds the wallet with 5 TON and deploys it with a first 1 TON transfer. */
  const deployWallet = async ({ chain, faucet }: ChainConformanceSetup): Promise<void> => {
    await faucet.fund(wallet.address, toNano('5'));
    await chain.sendExternalMessage(walletTransfer(0, toNano('1'), { deploy: true }));
  };

  describe(`Chain conformance: ${name}`, () => {
    withChain('an untouched address is uninit with no balance and no transactions', async ({ chain }) => {
      const account = await chain.getAccount(new Address(0, Buffer.alloc(32, 0x99)));
      assert.deepEqual(account, { state: 'uninit', balance: 0n, code: null, data: null, lastTransaction: null });
      assert.deepEqual(await chain.getTransactions(new Address(0, Buffer.alloc(32, 0x99)), { limit: 5 }), []);
    });

    withChain('the faucet gives an uninit address coins', async ({ chain, faucet }) => {
      await faucet.fund(wallet.address, toNano('5'));
      const account = await chain.getAccount(wallet.address);
      assert.equal(account.state, 'uninit');
      assert.equal(account.balance, toNano('5'));
      assert.equal(account.code, null);
      assert.ok(account.lastTransaction && account.lastTransaction.lt > 0n);
      const [transaction] = await chain.getTransactions(wallet.address, { limit: 10 });
      assert.ok(transaction);
      assert.equal(transaction.inMessage?.info.type, 'internal');
      assert.equal(transaction.inMessage?.info.type === 'internal' && transaction.inMessage.info.value.coins, toNano('5'));
    });

    withChain('the first external with state-init deploys the wallet; get methods read it', async (context) => {
      const { chain } = context;
      await deployWallet(context);
      const account = await chain.getAccount(wallet.address);
      assert.equal(account.state, 'active');
      assert.ok(account.code?.equals(wallet.init.code));
      assert.ok(account.data);
      assert.ok(account.balance < toNano('4') && account.balance > toNano('3.9'), `balance ${account.balance}`);
      assert.equal((await chain.runGetMethod(wallet.address, 'seqno')).readNumber(), 1);
      assert.equal((await chain.runGetMethod(wallet.address, 'get_public_key')).readBigNumber(), BigInt(`0x${keyPair.publicKey.toString('hex')}`));
      const installed = await chain.runGetMethod(wallet.address, 'is_plugin_installed', [
        { type: 'int', value: 0n },
        { type: 'int', value: 12345n },
      ]);
      assert.equal(installed.readBigNumber(), 0n);
      const received = await chain.getAccount(recipient);
      assert.ok(received.balance > toNano('0.99') && received.balance <= toNano('1'), `recipient balance ${received.balance}`);
    });

    withChain('balances follow transfers', async (context) => {
      const { chain } = context;
      await deployWallet(context);
      const before = await chain.getAccount(wallet.address);
      await chain.sendExternalMessage(walletTransfer(1, toNano('0.5')));
      const after = await chain.getAccount(wallet.address);
      assert.ok(before.balance - after.balance >= toNano('0.5'));
      assert.ok(before.balance - after.balance < toNano('0.55'));
      assert.ok(after.lastTransaction && before.lastTransaction && after.lastTransaction.lt > before.lastTransaction.lt);
      assert.equal((await chain.runGetMethod(wallet.address, 'seqno')).readNumber(), 2);
    });

    withChain('transactions come newest first, paged by lt/hash and bounded by toLt', async (context) => {
      const { chain } = context;
      await deployWallet(context);
      await chain.sendExternalMessage(walletTransfer(1, toNano('0.1')));
      await chain.sendExternalMessage(walletTransfer(2, toNano('0.1')));
      const all = await chain.getTransactions(wallet.address, { limit: 10 });
      assert.equal(all.length, 4);
      for (let index = 1; index < all.length; index++) assert.ok(all[index - 1]!.lt > all[index]!.lt);
      const account = await chain.getAccount(wallet.address);
      assert.equal(account.lastTransaction?.lt, all[0]!.lt);
      assert.ok(account.lastTransaction?.hash.equals(all[0]!.hash()));
      assert.deepEqual(
        all.map((transaction) => transaction.inMessage?.info.type),
        ['external-in', 'external-in', 'external-in', 'internal'],
      );
      const firstPage = await chain.getTransactions(wallet.address, { limit: 2 });
      assert.deepEqual(firstPage.map((transaction) => transaction.lt), [all[0]!.lt, all[1]!.lt]);
      const last = firstPage[1]!;
      const secondPage = await chain.getTransactions(wallet.address, { limit: 2, lt: last.lt, hash: last.hash() });
      assert.deepEqual(secondPage.map((transaction) => transaction.lt), [all[1]!.lt, all[2]!.lt]);
      assert.ok(secondPage[0]!.hash().equals(last.hash()));
      const newer = await chain.getTransactions(wallet.address, { limit: 10, toLt: all[2]!.lt });
      assert.deepEqual(newer.map((transaction) => transaction.lt), [all[0]!.lt, all[1]!.lt]);
      const tail = await chain.getTransactions(wallet.address, { limit: 10, lt: all[2]!.lt, hash: all[2]!.hash(), toLt: all[3]!.lt });
      assert.deepEqual(tail.map((transaction) => transaction.lt), [all[2]!.lt]);
    });

    withChain('failing get methods throw CCN_ERR_TON_TRANSACTION_FAILED', async (context) => {
      const { chain } = context;
      await deployWallet(context);
      await assert.rejects(chain.runGetMethod(wallet.address, 'no_such_get_method'), isTransactionFailure);
      await assert.rejects(chain.runGetMethod(recipient, 'seqno'), isTransactionFailure);
    });

    withChain('garbage and replayed externals are rejected and change nothing', async (context) => {
      const { chain } = context;
      await deployWallet(context);
      const before = await chain.getAccount(wallet.address);
      await assert.rejects(chain.sendExternalMessage(walletTransfer(0, toNano('1'))), isTransactionFailure);
      const garbageBody = external({ to: wallet.address, body: beginCell().storeUint(0xdeadbeef, 32).endCell() });
      await assert.rejects(chain.sendExternalMessage(beginCell().store(storeMessage(garbageBody)).endCell()), isTransactionFailure);
      await assert.rejects(chain.sendExternalMessage(beginCell().storeUint(5, 3).endCell()), isTransactionFailure);
      const after = await chain.getAccount(wallet.address);
      assert.equal(after.balance, before.balance);
      assert.equal(after.lastTransaction?.lt, before.lastTransaction?.lt);
      assert.equal((await chain.runGetMethod(wallet.address, 'seqno')).readNumber(), 1);
      assert.equal((await chain.getTransactions(wallet.address, { limit: 10 })).length, 2);
    });

    withChain('chain time is the injected clock', async ({ chain }) => {
      assert.equal(await chain.now(), CONFORMANCE_CHAIN_TIME);
    });
  });
}
