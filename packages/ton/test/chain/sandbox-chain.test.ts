/** Runs the Chain conformance suite against the in-process SandboxChain, plus its state export/restore, clock and refusals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beginCell, storeMessage, toNano } from '@ton/core';
import { internal } from '@ton/sandbox';
import { isCocoonError } from '@cocoon/protocol';
import { SANDBOX_FAUCET_ADDRESS, SandboxChain } from '../../src/chain/sandbox-chain.ts';
import { CONFORMANCE_CHAIN_TIME, conformanceWallet, describeAccount, runChainConformance, walletTransfer } from './chain-conformance.ts';

runChainConformance('SandboxChain', async () => {
  const chain = await SandboxChain.create({ now: () => CONFORMANCE_CHAIN_TIME });
  return { chain, faucet: chain, close: () => chain.close() };
});

test('SandboxChain state survives export → JSON → restore', async () => {
  const { wallet, recipient } = conformanceWallet;
  const chain = await SandboxChain.create({ now: () => CONFORMANCE_CHAIN_TIME });
  await chain.fund(wallet.address, toNano('5'));
  await chain.sendExternalMessage(walletTransfer(0, toNano('1'), { deploy: true }));
  const state = JSON.parse(JSON.stringify(await chain.exportState()));
  const restored = await SandboxChain.restore(state, { now: () => CONFORMANCE_CHAIN_TIME + 10 });
  assert.deepEqual(describeAccount(await restored.getAccount(wallet.address)), describeAccount(await chain.getAccount(wallet.address)));
  assert.deepEqual(describeAccount(await restored.getAccount(recipient)), describeAccount(await chain.getAccount(recipient)));
  const history = (await chain.getTransactions(wallet.address, { limit: 10 })).map((transaction) => transaction.lt);
  assert.deepEqual((await restored.getTransactions(wallet.address, { limit: 10 })).map((transaction) => transaction.lt), history);
  // The restored chain keeps going: lt keeps growing, seqno continues.
  await restored.sendExternalMessage(walletTransfer(1, toNano('0.1')));
  const [newest] = await restored.getTransactions(wallet.address, { limit: 1 });
  assert.ok(newest && newest.lt > (history[0] ?? 0n));
  assert.equal((await restored.runGetMethod(wallet.address, 'seqno')).readNumber(), 2);
  assert.equal(await restored.now(), CONFORMANCE_CHAIN_TIME + 10);
  await assert.rejects(SandboxChain.restore({ ...state, version: 2 }), /unsupported/);
  await assert.rejects(SandboxChain.restore({ ...state, transactions: [{ address: 'x', boc: 'y' }] }), /damaged/);
});

test('SandboxChain: chain time never goes backwards; the faucet refuses non-positive amounts; only external-in messages are sent', async () => {
  let clock = CONFORMANCE_CHAIN_TIME;
  const chain = await SandboxChain.create({ now: () => clock });
  const { wallet } = conformanceWallet;
  await chain.fund(wallet.address, toNano('5'));
  clock = CONFORMANCE_CHAIN_TIME - 100;
  assert.equal(await chain.now(), CONFORMANCE_CHAIN_TIME, 'a clock going back does not move chain time back');
  await chain.fund(wallet.address, 1n);
  const [newest] = await chain.getTransactions(wallet.address, { limit: 1 });
  assert.equal(newest?.now, CONFORMANCE_CHAIN_TIME, 'transactions keep the latest time used');
  clock = CONFORMANCE_CHAIN_TIME + 7;
  assert.equal(await chain.now(), CONFORMANCE_CHAIN_TIME + 7);

  for (const amount of [0n, -1n]) {
    await assert.rejects(chain.fund(wallet.address, amount), (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_TON_TRANSACTION_FAILED' && /positive/.test(error.message));
  }
  const internalMessage = beginCell().store(storeMessage(internal({ from: SANDBOX_FAUCET_ADDRESS, to: wallet.address, value: 1n, bounce: false }))).endCell();
  await assert.rejects(chain.sendExternalMessage(internalMessage), (error: unknown) => isCocoonError(error) && /expected an external-in message, got internal/.test((error as Error).message));
  assert.equal(chain.transactionCount, 2, 'refused operations record nothing');
  assert.equal((await chain.runGetMethodOutcome(wallet.address, 'seqno')).exitCode, -13, 'get methods on an undeployed account exit -13');
  await chain.close();
});
