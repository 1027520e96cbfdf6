/** Runs the Chain conformance suite against the in-process SandboxChain, plus its state export/restore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import { SandboxChain } from '../../src/chain/sandbox-chain.ts';
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
