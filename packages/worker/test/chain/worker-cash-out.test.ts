/**
 * Worker cash-out on a SandboxChain with the real contracts: the threshold in nanoTON, the
 * repacked signed payout moving the worker contract's tokens and paying Δ × worker_fee to the
 * owner, /request/payout-style forcing, and the durable ledger file (0600, atomic) across a restart.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { toNano } from '@ton/core';
import { CocoonError } from '@cocoon/protocol';
import { parseWorkerContractData, readContractData } from '@cocoon/ton';
import { WorkerLedgerStateFile } from '../../src/chain/index.ts';
import { compareResult, createAccount, createWorkerChainWorld, createWorkerWallet, newStateDirectory, removeStateDirectories, signedPayout, type WorkerChainWorld } from './worker-chain-test-kit.ts';

after(removeStateDirectories);
const stateDirectory = newStateDirectory;

async function contractTokens(world: WorkerChainWorld): Promise<bigint> {
  return (await readContractData(world.chain, world.workerContract, parseWorkerContractData))?.data.tokens ?? -1n;
}

/** The owner (a plain uninit account) got `expected`, less at most a few nanoTON of storage fees. */
function assertPaid(received: bigint, expected: bigint): void {
  assert.ok(received <= expected && expected - received < 1000n, `owner received ${received}, expected ${expected}`);
}

describe('worker cash-out', () => {
  test('cashes out at the nanoTON threshold and pays Δ × fee to the owner', async () => {
    const world = await createWorkerChainWorld();
    const wallet = await createWorkerWallet(world, '20');
    const account = createAccount(world, wallet, { stateDirectory: stateDirectory(), payoutThresholdNanoton: toNano('10') });
    const ledger = await account.connectedToProxy(world.proxyParams, world.workerContract.toString());
    const fee = world.params.workerFeePerToken;

    // 500M tokens × 19 = 9.5 TON < 10 TON: nothing is sent (the reference's token-count comparison would have sent).
    ledger.observePayment(signedPayout(world, 500_000_000n), 500_000_000n, 500_000_000n);
    const below = await ledger.cashOut(false);
    assert.equal(below.sent, false);
    assert.match(below.reason ?? '', /below threshold/);
    assert.equal(await contractTokens(world), 0n);

    ledger.observePayment(signedPayout(world, 600_000_000n), 600_000_000n, 600_000_000n);
    const ownerBefore = (await world.chain.getAccount(world.workerOwner)).balance;
    const walletBefore = await wallet.balance();
    await account.check();
    assert.equal(await contractTokens(world), 600_000_000n);
    assert.equal(ledger.state.cashedOutTokens, 600_000_000n);
    assertPaid((await world.chain.getAccount(world.workerOwner)).balance - ownerBefore, 600_000_000n * fee);
    const spent = walletBefore - (await wallet.balance());
    // The 0.5 TON are not lost: the proxy returns the excess (with the contract's spare deploy coins) to the wallet.
    assert.ok(spent < toNano('0.1'), `wallet spent ${spent}`);
    assert.equal(account.proxiesJson()[0]?.cached_out_tokens, 600_000_000n);

    // Nothing unpaid: no second payout; a forced payout (/request/payout) of a small Δ goes out regardless of the threshold.
    assert.equal((await ledger.cashOut(false)).reason, 'nothing to cash out');
    ledger.observePayment(signedPayout(world, 600_001_000n), 600_001_000n, 600_002_000n);
    assert.equal((await ledger.cashOut(false)).sent, false);
    const forced = await account.requestPayout(world.proxyContract.toString());
    assert.equal(forced.results.length, 1);
    assert.equal(forced.results[0]?.sent, true);
    assert.equal(forced.results[0]?.tokens, 1000n);
    assert.equal(await contractTokens(world), 600_001_000n);
    assertPaid((await world.chain.getAccount(world.workerOwner)).balance - ownerBefore, 600_001_000n * fee);
    await assert.rejects(account.requestPayout('0:' + 'ab'.repeat(32)), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_CONFIG_INVALID');
  });

  test('the ledger survives a restart (0600, atomic) and a rolled-back proxy is then refused', async () => {
    const world = await createWorkerChainWorld();
    const wallet = await createWorkerWallet(world, '20');
    const directory = stateDirectory();
    const first = createAccount(world, wallet, { stateDirectory: directory });
    const ledger = await first.connectedToProxy(world.proxyParams, world.workerContract.toString());
    ledger.acceptCompareResult(compareResult(signedPayout(world, 700n), 800n, 900n));
    ledger.observePayment(undefined, 800n, 950n); // max only: batched until flush
    first.stop();

    const file = new WorkerLedgerStateFile(directory).pathFor(world.proxyContract);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(directory).filter((name) => name.endsWith('.tmp')), []);

    const second = createAccount(world, wallet, { stateDirectory: directory });
    const restored = await second.connectedToProxy(world.proxyParams, world.workerContract.toString());
    assert.notEqual(restored, ledger);
    assert.deepEqual(restored.balanceClaim(), { tokens_committed_to_blockchain: 700n, tokens_committed_to_db: 800n, max_tokens: 950n });
    assert.equal(restored.state.signedPayoutBoc, ledger.state.signedPayoutBoc);
    // The proxy came back with an older state: refused.
    assert.throws(() => restored.acceptCompareResult(compareResult(signedPayout(world, 600n), 800n, 900n)), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_LEDGER_ROLLBACK');
    // The restored signed payout still cashes out.
    const result = await restored.cashOut(true);
    assert.equal(result.sent, true);
    assert.equal(await contractTokens(world), 700n);

    writeFileSync(file, '{"version":1,');
    const third = createAccount(world, wallet, { stateDirectory: directory });
    await assert.rejects(third.connectedToProxy(world.proxyParams, world.workerContract.toString()), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_LEDGER_CORRUPT');
    assert.ok(existsSync(file));
  });
});
