/**
 * RunnerWallet end to end on a SandboxChain: deploy on the first send, seqno advancing,
 * batching of queued sends, use as a @ton/core Sender for contract wrappers, resending a lost
 * external, and the "ACTION REQUIRED" low-balance error.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano, type Address, type Cell } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { SandboxChain } from '../../src/chain/sandbox-chain.ts';
import type { Chain } from '../../src/chain/chain.ts';
import { RunnerWallet } from '../../src/wallet/runner-wallet.ts';
import { CocoonRootContract } from '../../src/wrappers/cocoon-root-contract.ts';
import { readRootConfig } from '../../src/root/read-root-config.ts';
import { testCocoonParams } from './contract-test-helpers.ts';

// Chain time fixed for the test, after the treasuries were created (they use the wall clock).
const NOW = Math.floor(Date.now() / 1000) + 60;

/** A fake clock whose sleep just advances time. */
function fakeClock() {
  let ms = NOW * 1000;
  return { now: () => ms, sleep: async (delay: number) => { ms += delay; } };
}

async function setup(seedByte: number, fundTon?: string) {
  const chain = await SandboxChain.create({ now: () => NOW });
  const owner = await chain.blockchain.treasury('owner');
  const clock = fakeClock();
  const wallet = new RunnerWallet({
    chain, keyPair: keyPairFromSeed(Buffer.alloc(32, seedByte)), ownerAddress: owner.address, now: clock.now, sleep: clock.sleep,
  });
  if (fundTon) await chain.fund(wallet.address, toNano(fundTon));
  return { chain, owner, wallet, clock };
}

describe('RunnerWallet', () => {
  test('deploys on the first send and advances the seqno', async () => {
    const { chain, owner, wallet } = await setup(1, '5');
    assert.equal((await chain.getAccount(wallet.address)).state, 'uninit');
    const first = await wallet.sendMessages([{ to: owner.address, value: toNano('0.5') }]);
    assert.equal(first.seqno, 0);
    await wallet.waitForSeqno(0, 1000);
    assert.equal((await chain.getAccount(wallet.address)).state, 'active');
    assert.equal(await wallet.seqno(), 1);
    const second = await wallet.sendMessages([{ to: owner.address, value: 1n }, { to: owner.address, value: 2n }]);
    assert.equal(second.seqno, 1);
    await wallet.waitSent();
    assert.equal(await wallet.seqno(), 2);
    const balance = await wallet.balance();
    assert.ok(balance < toNano('4.5') && balance > toNano('4.4'), `balance ${balance}`);
  });

  test('serializes sends and batches queued ones (≤ 4 messages per external)', async () => {
    const { owner, wallet } = await setup(2, '5');
    const message = { to: owner.address, value: 1000n };
    const results = await Promise.all([
      wallet.sendMessages([message]),
      wallet.sendMessages([message, message]),
      wallet.sendMessages([message]),
      wallet.sendMessages([message, message]),
    ]);
    assert.deepEqual(results.map((result) => result.seqno), [0, 1, 1, 2]);
    await wallet.waitSent();
    assert.equal(await wallet.seqno(), 3);
    await assert.rejects(wallet.sendMessages([message, message, message, message, message]), /1–4 messages/);
  });

  test('works as a @ton/core Sender for contract wrappers', async () => {
    const { chain, wallet } = await setup(3, '5');
    const root = chain.blockchain.openContract(CocoonRootContract.fromConfig({ owner: wallet.address, params: testCocoonParams() }));
    await root.sendDeploy(wallet, toNano('0.2'));
    await root.sendAdmin(wallet, { value: toNano('0.05'), message: { type: 'registerProxy', address: '127.0.0.1:8801' } });
    await wallet.waitSent();
    const config = await readRootConfig(chain, root.address);
    assert.equal(config.version, 2);
    assert.deepEqual(config.registeredProxies, [{ seqno: 1, address: '127.0.0.1:8801' }]);
  });

  test('resends an external that was lost until the seqno advances', async () => {
    const { chain, owner, clock } = await setup(4);
    let dropped = 0;
    let submitted = 0;
    const lossyChain: Chain = Object.assign(Object.create(chain) as Chain, {
      sendExternalMessage: async (message: Cell) => {
        submitted += 1;
        if (dropped === 0) { dropped += 1; return; }
        await chain.sendExternalMessage(message);
      },
    });
    const wallet = new RunnerWallet({
      chain: lossyChain, keyPair: keyPairFromSeed(Buffer.alloc(32, 4)), ownerAddress: owner.address,
      now: clock.now, sleep: clock.sleep, pollIntervalMs: 5000,
    });
    await chain.fund(wallet.address, toNano('3'));
    const startedAt = clock.now();
    await wallet.sendMessages([{ to: owner.address, value: toNano('0.1') }]);
    await wallet.waitSent();
    assert.equal(submitted, 2);
    assert.equal(await wallet.seqno(), 1);
    assert.ok(clock.now() - startedAt >= 30_000, 'resent after 30 s');
  });

  test('a rejected external fails the send; waitForSeqno times out', async () => {
    const { owner, wallet } = await setup(5);
    await assert.rejects(wallet.sendMessages([{ to: owner.address, value: 1n }]), { code: 'CCN_ERR_TON_TRANSACTION_FAILED' });
    await assert.rejects(wallet.waitForSeqno(0, 10_000), { code: 'CCN_ERR_TON_TIMEOUT' });
  });

  test('ensureBalance throws ACTION REQUIRED below the minimum', async () => {
    const { wallet } = await setup(6, '1.5');
    const address: Address = wallet.address;
    const friendly = address.toString({ bounceable: false });
    await assert.rejects(wallet.ensureBalance(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'CCN_ERR_TON_LOW_BALANCE');
      assert.equal(error.message, `ACTION REQUIRED: wallet ${friendly} has 1.5 TON, needs ≥ 2.1 TON; send TON to ${friendly}`);
      return true;
    });
    assert.equal(await wallet.ensureBalance(toNano('1')), toNano('1.5'));
  });
});
