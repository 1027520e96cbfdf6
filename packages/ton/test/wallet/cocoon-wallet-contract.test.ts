/**
 * Cocoon wallet contract on the sandbox: signed externals with 1–4 messages, bad signature
 * (1007), replayed seqno / expired valid_until / wrong subwallet (1013), the owner's "w"
 * withdraw and owner_wallet_send_message, and strangers refused (1004).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beginCell, loadMessage, toNano, type Cell } from '@ton/core';
import { keyPairFromSeed, type KeyPair } from '@ton/crypto';
import { Blockchain, EmulationError, type SandboxContract, type TreasuryContract } from '@ton/sandbox';
import { CocoonWalletContract, type WalletMessage } from '../../src/wrappers/cocoon-wallet-contract.ts';
import { exitCodeTo } from './contract-test-helpers.ts';
import { ContractExitCode } from '../../src/contracts/contract-exit-codes.ts';

const NOW = 1_700_000_000;

describe('cocoon wallet contract', () => {
  let blockchain: Blockchain;
  let owner: SandboxContract<TreasuryContract>;
  let stranger: SandboxContract<TreasuryContract>;
  let recipients: SandboxContract<TreasuryContract>[];
  let wallet: SandboxContract<CocoonWalletContract>;
  const keyPair: KeyPair = keyPairFromSeed(Buffer.alloc(32, 7));
  const otherKey: KeyPair = keyPairFromSeed(Buffer.alloc(32, 8));

  function body(seqno: number, messages: WalletMessage[], overrides: { key?: KeyPair; validUntil?: number; subwalletId?: number } = {}): Cell {
    return CocoonWalletContract.signedTransferBody({
      secretKey: (overrides.key ?? keyPair).secretKey, seqno, messages,
      validUntil: overrides.validUntil ?? NOW + 3600, subwalletId: overrides.subwalletId ?? 0,
    });
  }

  async function sendExternal(signedBody: Cell, withInit = false) {
    const message = CocoonWalletContract.externalMessage(wallet.address, signedBody, withInit ? wallet.init : null);
    return blockchain.sendMessage(loadMessage(message.beginParse()));
  }

  async function externalExitCode(signedBody: Cell): Promise<number> {
    try {
      await sendExternal(signedBody);
      return 0;
    } catch (error) {
      if (error instanceof EmulationError && error.exitCode !== undefined) return error.exitCode;
      throw error;
    }
  }

  const pay = (index: number, value: bigint): WalletMessage => ({ to: recipients[index]!.address, value });

  before(async () => {
    blockchain = await Blockchain.create();
    blockchain.now = NOW;
    owner = await blockchain.treasury('wallet-owner');
    stranger = await blockchain.treasury('stranger');
    recipients = await Promise.all([0, 1, 2, 3].map((index) => blockchain.treasury(`recipient-${index}`)));
    wallet = blockchain.openContract(CocoonWalletContract.fromConfig({ publicKey: keyPair.publicKey, ownerAddress: owner.address }));
    await owner.send({ to: wallet.address, value: toNano('10'), bounce: false });
  });

  test('the first external deploys the wallet and sends one message', async () => {
    const before = await recipients[0]!.getBalance();
    const result = await sendExternal(body(0, [pay(0, toNano('1'))]), true);
    assert.equal(exitCodeTo(result.transactions, { to: wallet.address }), 0);
    assert.equal((await recipients[0]!.getBalance()) - before > toNano('0.99'), true);
    assert.equal(await wallet.getSeqno(), 1);
    assert.deepEqual(await wallet.getPublicKey(), keyPair.publicKey);
    assert.ok((await wallet.getOwnerAddress()).equals(owner.address));
    assert.equal(await wallet.getSubwalletId(), 0);
  });

  test('one external sends four messages', async () => {
    const result = await sendExternal(body(1, [0, 1, 2, 3].map((index) => pay(index, toNano('0.1')))));
    assert.equal(exitCodeTo(result.transactions, { to: wallet.address }), 0);
    for (const recipient of recipients) {
      assert.equal(exitCodeTo(result.transactions, { to: recipient.address, from: wallet.address }), 0);
    }
    assert.equal(await wallet.getSeqno(), 2);
    assert.throws(() => body(2, [0, 1, 2, 3, 0].map((index) => pay(index, 1n))), /at most 4/);
  });

  test('rejects a bad signature (1007)', async () => {
    assert.equal(await externalExitCode(body(2, [pay(0, 1n)], { key: otherKey })), ContractExitCode.badSignature);
  });

  test('rejects a replayed seqno, an expired valid_until and a wrong subwallet (1013)', async () => {
    assert.equal(await externalExitCode(body(1, [pay(0, 1n)])), ContractExitCode.walletBadSeqno);
    assert.equal(await externalExitCode(body(2, [pay(0, 1n)], { validUntil: NOW - 1 })), ContractExitCode.walletBadSeqno);
    assert.equal(await externalExitCode(body(2, [pay(0, 1n)], { subwalletId: 1 })), ContractExitCode.walletBadSeqno);
    assert.equal(await wallet.getSeqno(), 2);
  });

  test('owner_wallet_send_message: owner only', async () => {
    const message = pay(2, toNano('0.5'));
    const refused = await wallet.sendOwnerSendMessage(stranger.getSender(), { value: toNano('0.05'), message });
    assert.equal(exitCodeTo(refused.transactions, { to: wallet.address }), ContractExitCode.accessDenied);
    const result = await wallet.sendOwnerSendMessage(owner.getSender(), { value: toNano('0.05'), message });
    assert.equal(exitCodeTo(result.transactions, { to: wallet.address }), 0);
    assert.equal(exitCodeTo(result.transactions, { to: recipients[2]!.address, from: wallet.address }), 0);
  });

  test('"w" withdraws everything above 2 TON to the owner; strangers get 1004', async () => {
    const refused = await wallet.sendWithdraw(stranger.getSender(), toNano('0.05'));
    assert.equal(exitCodeTo(refused.transactions, { to: wallet.address }), ContractExitCode.accessDenied);
    const ownerBefore = await owner.getBalance();
    const result = await wallet.sendWithdraw(owner.getSender(), toNano('0.05'));
    assert.equal(exitCodeTo(result.transactions, { to: wallet.address }), 0);
    const walletBalance = await wallet.getBalance();
    assert.ok(walletBalance <= toNano('2') && walletBalance > toNano('1.99'), `wallet kept ${walletBalance}`);
    assert.ok((await owner.getBalance()) - ownerBefore > toNano('5'));
  });

  test('other internal messages are top-ups', async () => {
    const result = await stranger.send({ to: wallet.address, value: toNano('1'), body: beginCell().storeUint(0xdeadbeef, 32).endCell() });
    assert.equal(exitCodeTo(result.transactions, { to: wallet.address }), 0);
  });
});
