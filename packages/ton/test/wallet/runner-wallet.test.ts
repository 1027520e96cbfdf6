/**
 * RunnerWallet end to end on a SandboxChain: deploy on the first send, seqno advancing,
 * batching of queued sends, use as a @ton/core Sender for contract wrappers, resending a lost
 * external, and the "ACTION REQUIRED" low-balance error. Then its timing against a scripted
 * chain and an injected clock: seqno polling and time-outs to the millisecond, resends every
 * 30 s, giving up after the confirm time-out, unreadable seqnos tolerated, the balance limits.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, loadMessage, toNano, type Cell } from '@ton/core';
import { keyPairFromSeed, signVerify } from '@ton/crypto';
import { CocoonError, createLogger, type Logger } from '@cocoon/protocol';
import type { ChainAccount } from '../../src/chain/chain.ts';
import { CocoonWalletContract } from '../../src/wrappers/cocoon-wallet-contract.ts';
import { SandboxChain } from '../../src/chain/sandbox-chain.ts';
import type { Chain } from '../../src/chain/chain.ts';
import { MIN_WALLET_BALANCE, RunnerWallet, WARN_WALLET_BALANCE } from '../../src/wallet/runner-wallet.ts';
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
    const address = wallet.address;
    const friendly = address.toString({ bounceable: false });
    await assert.rejects(wallet.ensureBalance(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'CCN_ERR_TON_LOW_BALANCE');
      assert.equal(error.message, `ACTION REQUIRED: wallet ${friendly} has 1.5 TON, needs ≥ 2.1 TON; send TON to ${friendly}`);
      return true;
    });
    assert.equal(await wallet.ensureBalance(toNano('1')), toNano('1.5'));
  });
});

/** A scripted chain holding one wallet: externals advance its seqno unless `drop` says otherwise. */
class ScriptedWalletChain implements Chain {
  readonly kind = 'scripted';
  seqno = 0;
  deployed = false;
  balance = toNano('10');
  readonly externals: Cell[] = [];
  /** Externals to accept without applying (lost on the way). */
  drop = 0;
  /** getAccount calls that fail before answers come again. */
  failedReads = 0;
  /** Indexes (0 = the first external sent) of externals the chain rejects. */
  readonly refused = new Set<number>();
  constructor(private readonly config: { publicKey: Buffer; ownerAddress: Address }) {}

  async getAccount(): Promise<ChainAccount> {
    if (this.failedReads > 0) {
      this.failedReads -= 1;
      throw new CocoonError('CCN_ERR_TON_UNAVAILABLE', 'endpoint down');
    }
    const data = this.deployed ? CocoonWalletContract.buildData({ ...this.config, seqno: this.seqno }) : null;
    return { state: this.deployed ? 'active' : 'uninit', balance: this.balance, code: null, data, lastTransaction: null };
  }

  async sendExternalMessage(message: Cell): Promise<void> {
    this.externals.push(message);
    if (this.refused.has(this.externals.length - 1)) {
      throw new CocoonError('CCN_ERR_TON_TRANSACTION_FAILED', 'external message was not accepted');
    }
    if (this.drop > 0) { this.drop -= 1; return; }
    this.deployed = true;
    this.seqno += 1;
  }

  async runGetMethod(): Promise<never> { throw new Error('not used'); }
  async getTransactions(): Promise<never[]> { return []; }
  async now(): Promise<number> { return NOW; }
  async close(): Promise<void> {}
}

interface LogLine { level: string; message: string; fields: Record<string, unknown> | undefined }

function recordingLogger(lines: LogLine[]): Logger {
  const base = createLogger('test', { level: 'error' });
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => { lines.push({ level, message, fields }); };
  const logger: Logger = { ...base, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error'), child: () => logger };
  return logger;
}

function scripted(options: { pollIntervalMs?: number; resendIntervalMs?: number; confirmTimeoutMs?: number } = {}) {
  const keyPair = keyPairFromSeed(Buffer.alloc(32, 9));
  const ownerAddress = new Address(0, Buffer.alloc(32, 0x0a));
  const chain = new ScriptedWalletChain({ publicKey: keyPair.publicKey, ownerAddress });
  let ms = NOW * 1000;
  const sleeps: number[] = [];
  const lines: LogLine[] = [];
  const wallet = new RunnerWallet({
    chain, keyPair, ownerAddress, logger: recordingLogger(lines), ...options,
    now: () => ms, sleep: async (delay) => { sleeps.push(delay); ms += delay; },
  });
  return { chain, wallet, keyPair, ownerAddress, sleeps, lines, elapsed: () => ms - NOW * 1000, messages: (level: string) => lines.filter((line) => line.level === level).map((line) => line.message) };
}

describe('RunnerWallet timing (scripted chain, injected clock)', () => {
  const to = new Address(0, Buffer.alloc(32, 0x70));

  test('the first external carries the state-init, later ones do not; each is signed, valid for 1 h, with the chain seqno', async () => {
    const { chain, wallet, keyPair } = scripted();
    await wallet.sendMessages([{ to, value: 1n }]);
    await wallet.sendMessages([{ to, value: 2n }]);
    await wallet.waitSent();
    const [first, second] = chain.externals.map((cell) => loadMessage(cell.beginParse()));
    assert.ok(first?.init && first.init.code?.equals(wallet.contract.init!.code));
    assert.equal(second?.init ?? null, null);
    for (const [index, message] of [first, second].entries()) {
      const body = message!.body.beginParse();
      const signature = body.loadBuffer(64);
      const signed = body.asCell();
      assert.ok(signVerify(signed.hash(), signature, keyPair.publicKey));
      assert.deepEqual([body.loadUint(32), body.loadUint(32), body.loadUint(32)], [0, NOW + 3600, index]);
      assert.ok(message!.info.dest instanceof Address && message!.info.dest.equals(wallet.address));
    }
  });

  test('waitForSeqno polls every pollIntervalMs and returns as soon as the seqno passes', async () => {
    const { chain, wallet, sleeps } = scripted({ pollIntervalMs: 250 });
    chain.deployed = true;
    chain.seqno = 3;
    await wallet.waitForSeqno(2);
    assert.deepEqual(sleeps, [], 'already past: no wait');
    let polls = 0;
    const original = chain.getAccount.bind(chain);
    chain.getAccount = async () => { polls += 1; if (polls === 4) chain.seqno = 4; return original(); };
    await wallet.waitForSeqno(3);
    assert.deepEqual(sleeps, [250, 250, 250]);
  });

  test('waitForSeqno gives up at its deadline with CCN_ERR_TON_TIMEOUT, not a poll earlier', async () => {
    const { chain, wallet, sleeps, elapsed } = scripted({ pollIntervalMs: 1000 });
    chain.deployed = true;
    await assert.rejects(wallet.waitForSeqno(0, 5000), (error: unknown) =>
      error instanceof CocoonError && error.code === 'CCN_ERR_TON_TIMEOUT' && error.message === `wallet ${wallet.friendlyAddress()} did not reach seqno 1 within 5000 ms`);
    assert.equal(elapsed(), 5000);
    assert.equal(sleeps.length, 5);
  });

  test('an external that never lands is resent every 30 s and given up after the confirm time-out; the queue goes on', async () => {
    const { chain, wallet, elapsed, messages, lines } = scripted({ pollIntervalMs: 5000, confirmTimeoutMs: 120_000 });
    chain.drop = 100;
    const result = await wallet.sendMessages([{ to, value: 1n }]);
    assert.equal(result.seqno, 0);
    assert.equal(result.externalHash, chain.externals[0]?.hash().toString('hex'));
    await wallet.waitSent();
    assert.equal(elapsed(), 120_000);
    assert.equal(chain.externals.length, 1 + 3, 'resent at 30, 60 and 90 s; at 120 s it gives up');
    assert.ok(chain.externals.every((cell) => cell.equals(chain.externals[0]!)), 'the same external is resent');
    assert.deepEqual(messages('error'), ['wallet external not confirmed; giving up']);
    assert.equal(lines.filter((line) => line.message === 'wallet external not confirmed yet; resending').length, 3);
    chain.drop = 0;
    const next = await wallet.sendMessages([{ to, value: 2n }]);
    assert.equal(next.seqno, 0, 'the lost external never advanced the seqno');
    await wallet.waitSent();
    assert.equal(chain.seqno, 1);
  });

  test('unreadable seqnos and failed resends while confirming are logged, not fatal', async () => {
    const { chain, wallet, messages } = scripted({ pollIntervalMs: 10_000 });
    chain.drop = 1;
    await wallet.sendMessages([{ to, value: 1n }]);
    chain.failedReads = 3;
    chain.refused.add(1); // the first resend
    await wallet.waitSent();
    assert.equal(chain.seqno, 1, 'the resend after the refused one landed');
    assert.deepEqual(messages('warn').filter((message) => message === 'could not read the wallet seqno').length, 3);
    assert.ok(messages('warn').includes('wallet external resend failed'));
  });

  test('a refused external fails every send of its batch; the next batch is still sent', async () => {
    const { chain, wallet, messages } = scripted();
    chain.refused.add(1);
    // The first send goes out alone; what queues meanwhile is batched (≤ 4 messages per external).
    const first = wallet.sendMessages([{ to, value: 1n }]);
    const batch = [wallet.sendMessages([{ to, value: 2n }]), wallet.sendMessages([{ to, value: 3n }, { to, value: 4n }])];
    const later = wallet.sendMessages([{ to, value: 5n }, { to, value: 6n }]);
    const outcomes = await Promise.allSettled([first, ...batch, later]);
    assert.deepEqual(outcomes.map((outcome) => outcome.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    assert.equal((outcomes[1] as PromiseRejectedResult).reason.code, 'CCN_ERR_TON_TRANSACTION_FAILED');
    assert.deepEqual((outcomes[3] as PromiseFulfilledResult<{ seqno: number }>).value.seqno, 1, 'the refused batch used no seqno');
    assert.deepEqual(chain.externals.map((cell) => loadMessage(cell.beginParse()).body.refs.length), [1, 3, 2], 'messages per external');
    assert.deepEqual(messages('error'), ['wallet external failed']);
    await wallet.waitSent();
    assert.equal(chain.seqno, 2);
    await assert.rejects(wallet.sendMessages([]), /1–4 messages per external, got 0/);
  });

  test('balance limits: exactly the minimum passes with a warning, one nanoTON less is ACTION REQUIRED, the warning level is silent', async () => {
    const { chain, wallet, lines } = scripted();
    chain.balance = MIN_WALLET_BALANCE;
    assert.equal(await wallet.ensureBalance(), MIN_WALLET_BALANCE);
    assert.deepEqual(lines.map((line) => [line.level, line.message, line.fields?.address]), [['warn', 'wallet balance is low', wallet.friendlyAddress()]]);
    chain.balance = MIN_WALLET_BALANCE - 1n;
    await assert.rejects(wallet.ensureBalance(), (error: unknown) =>
      error instanceof CocoonError && error.code === 'CCN_ERR_TON_LOW_BALANCE' && error.message.startsWith('ACTION REQUIRED: ') && error.message.endsWith(`send TON to ${wallet.friendlyAddress()}`));
    lines.length = 0;
    chain.balance = WARN_WALLET_BALANCE;
    assert.equal(await wallet.ensureBalance(), WARN_WALLET_BALANCE);
    assert.deepEqual(lines, []);
    assert.ok(!wallet.friendlyAddress().startsWith('E'), 'the address to fund is non-bounceable');
  });
});
