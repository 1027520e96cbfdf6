/**
 * WorkerChainAccount on a SandboxChain with the real contracts: contract address verification
 * on connectedToProxy, one-time worker contract deployment, signed payout verification, the
 * compareBalanceWithProxy anti-rollback rule, and the low-balance "ACTION REQUIRED" path.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { CocoonError } from '@cocoon/protocol';
import { SignedPaymentOp } from '@cocoon/ton';
import {
  compareResult, createAccount, createWorkerChainWorld, createWorkerWallet, removeStateDirectories, signedPayout,
} from './worker-chain-test-kit.ts';

after(removeStateDirectories);

const isCode = (code: string) => (error: unknown) => error instanceof CocoonError && error.code === code;

describe('WorkerChainAccount: contracts', () => {
  test('verifies both addresses, deploys the worker contract once', async () => {
    const world = await createWorkerChainWorld();
    const wallet = await createWorkerWallet(world, '10');
    const account = createAccount(world, wallet);
    const ledger = await account.connectedToProxy(world.proxyParams, world.workerContract.toString());
    assert.equal(ledger.scInited, true);
    assert.equal((await world.chain.getAccount(world.workerContract)).state, 'active');
    const seqnoAfterDeploy = await wallet.seqno();
    assert.equal(seqnoAfterDeploy, 1);
    const again = await account.connectedToProxy(world.proxyParams, world.workerContract.toRawString());
    assert.equal(again, ledger);
    assert.equal(await wallet.seqno(), seqnoAfterDeploy, 'no second deployment');
    assert.equal(account.proxiesJson()[0]?.sc_inited, true);
    assert.equal(account.proxiesJson()[0]?.sc_address, world.workerContract.toString());
  });

  test('a mismatching proxy or worker contract address is refused', async () => {
    const world = await createWorkerChainWorld();
    const wallet = await createWorkerWallet(world, '10');
    const account = createAccount(world, wallet);
    const stranger = new Address(0, Buffer.alloc(32, 0x99)).toString();
    await assert.rejects(account.connectedToProxy({ ...world.proxyParams, proxy_sc_address: stranger }, world.workerContract.toString()), isCode('CCN_ERR_TON_CONTRACT_MISMATCH'));
    await assert.rejects(account.connectedToProxy(world.proxyParams, stranger), isCode('CCN_ERR_TON_CONTRACT_MISMATCH'));
    const otherKey = keyPairFromSeed(Buffer.alloc(32, 0x33)).publicKey;
    await assert.rejects(account.connectedToProxy({ ...world.proxyParams, proxy_public_key: otherKey }, world.workerContract.toString()), isCode('CCN_ERR_TON_CONTRACT_MISMATCH'));
    await assert.rejects(account.connectedToProxy({ ...world.proxyParams, proxy_owner_address: 'not an address' }, world.workerContract.toString()), isCode('CCN_ERR_TON_CONTRACT_MISMATCH'));
    assert.equal(await wallet.seqno(), 0, 'nothing deployed');
    assert.equal(account.proxyAccounts().length, 0);
  });

  test('low wallet balance: logs ACTION REQUIRED, keeps going, deploys once funded', async () => {
    const world = await createWorkerChainWorld();
    const wallet = await createWorkerWallet(world, '1');
    const account = createAccount(world, wallet);
    const ledger = await account.connectedToProxy(world.proxyParams, world.workerContract.toString());
    assert.equal(ledger.scInited, false);
    assert.ok(world.logLines.some((line) => line.includes('ACTION REQUIRED') && line.includes(wallet.friendlyAddress())), 'ACTION REQUIRED logged');
    await account.check(); // must not throw
    assert.equal((await world.chain.getAccount(world.workerContract)).state, 'uninit');
    assert.equal(account.walletJson().balance, 1_000_000_000n);
    await world.chain.fund(wallet.address, 10_000_000_000n);
    await account.check();
    assert.equal(ledger.scInited, true);
    assert.equal((await world.chain.getAccount(world.workerContract)).state, 'active');
  });
});

describe('WorkerChainAccount: signed payouts and compareBalanceWithProxy', () => {
  test('valid payouts are kept (newest wins); forged, foreign and wrong-op ones are refused', async () => {
    const world = await createWorkerChainWorld();
    const account = createAccount(world, await createWorkerWallet(world, '10'));
    const ledger = await account.connectedToProxy(world.proxyParams, world.workerContract.toString());
    ledger.observePayment(signedPayout(world, 500n), 600n, 700n);
    assert.deepEqual(ledger.balanceClaim(), { tokens_committed_to_blockchain: 500n, tokens_committed_to_db: 600n, max_tokens: 700n });
    ledger.observePayment(signedPayout(world, 400n), 500n, 650n); // older: ignored
    assert.equal(ledger.state.tokensCommittedToBlockchain, 500n);
    const kept = ledger.state.signedPayoutBoc;

    const forger = keyPairFromSeed(Buffer.alloc(32, 0x13)).secretKey;
    assert.throws(() => ledger.observePayment(signedPayout(world, 900n, { secretKey: forger }), 900n, 900n), isCode('CCN_ERR_TON_BAD_SIGNED_PAYMENT'));
    assert.throws(() => ledger.observePayment(signedPayout(world, 900n, { target: world.proxyContract }), 900n, 900n), isCode('CCN_ERR_TON_BAD_SIGNED_PAYMENT'));
    assert.throws(() => ledger.observePayment(signedPayout(world, 900n, { op: SignedPaymentOp.clientCharge }), 900n, 900n), isCode('CCN_ERR_TON_BAD_SIGNED_PAYMENT'));
    assert.throws(() => ledger.observePayment({ _: 'proxy.signedPayment', data: Buffer.from('junk') }, 900n, 900n), isCode('CCN_ERR_TON_BAD_SIGNED_PAYMENT'));
    assert.equal(ledger.state.tokensCommittedToBlockchain, 500n);
    assert.equal(ledger.state.signedPayoutBoc, kept);
    ledger.observePayment({ _: 'proxy.signedPaymentEmpty' }, 0n, 0n);
    assert.equal(ledger.state.tokensCommittedToBlockchain, 500n);
  });

  test('compare result: accepted when the proxy is not behind, refused (rollback) otherwise', async () => {
    const world = await createWorkerChainWorld();
    const account = createAccount(world, await createWorkerWallet(world, '10'));
    const ledger = await account.connectedToProxy(world.proxyParams, world.workerContract.toString());
    ledger.acceptCompareResult(compareResult({ _: 'proxy.signedPaymentEmpty' }, 0n, 0n)); // fresh worker, fresh proxy
    ledger.acceptCompareResult(compareResult(signedPayout(world, 1000n), 1200n, 1300n));
    assert.deepEqual(ledger.balanceClaim(), { tokens_committed_to_blockchain: 1000n, tokens_committed_to_db: 1200n, max_tokens: 1300n });

    assert.throws(() => ledger.acceptCompareResult(compareResult(signedPayout(world, 999n), 1200n, 1300n)), isCode('CCN_ERR_LEDGER_ROLLBACK'));
    assert.throws(() => ledger.acceptCompareResult(compareResult({ _: 'proxy.signedPaymentEmpty' }, 1200n, 1300n)), isCode('CCN_ERR_LEDGER_ROLLBACK'));
    assert.throws(() => ledger.acceptCompareResult(compareResult(signedPayout(world, 1000n), 1199n, 1300n)), isCode('CCN_ERR_LEDGER_ROLLBACK'));
    const forger = keyPairFromSeed(Buffer.alloc(32, 0x14)).secretKey;
    assert.throws(() => ledger.acceptCompareResult(compareResult(signedPayout(world, 5000n, { secretKey: forger }), 5000n, 5000n)), isCode('CCN_ERR_TON_BAD_SIGNED_PAYMENT'));
    assert.deepEqual(ledger.balanceClaim(), { tokens_committed_to_blockchain: 1000n, tokens_committed_to_db: 1200n, max_tokens: 1300n });

    // A proxy that knows fewer max tokens (error_code 1) is still accepted (§3.2: only blockchain/db are binding).
    ledger.acceptCompareResult(compareResult(signedPayout(world, 1000n), 1200n, 1250n, 1));
    assert.equal(ledger.state.maxTokens, 1300n);
  });
});
