/**
 * §6.7 params migration on a sandbox chain: usage on instance 1, the root admin changes the
 * fees (params_version 2), the proxy drains, anchors a final save-state, deploys a new proxy
 * contract with the new params (usage there is billed at the NEW price on new client/worker
 * contracts) and shuts the old instance down: close_request → proxy_delay_before_close (the
 * sandbox clock is advanced) → grant_refund → last_payout → close_complete. The proxy is
 * restarted from the same LMDB directory in the middle of that sequence: it resumes
 * without sending any step twice, and every nanoTON is accounted for.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address, beginCell, toNano, type Cell } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import type { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { createLogger, DEV_CLIENT_OWNER_ADDRESS, DEV_PROXY_OWNER_ADDRESS } from '@cocoon/protocol';
import {
  CocoonRootContract,
  RootConfigWatcher,
  RunnerWallet,
  SignedPaymentOp,
  devCocoonParams,
  loadContractCode,
  parseClientContractData,
  parseProxyContractData,
  parseWorkerContractData,
  readContractData,
} from '@cocoon/ton';
import { SandboxChain } from '@cocoon/ton/emulator';
import { LmdbLedger } from '../../src/ledger/index.ts';
import { AdmissionGate, GatedWorkerRegistry, ProxyInstances, type SettlementWallet } from '../../src/settlement/index.ts';

const TON = 1_000_000_000n;
const OP_PAYOUT = 0xc59a7cd3;
const logger = createLogger('proxy', { level: 'error' });
const WORKER_OWNER = Address.parse('UQBi-KmumZBHQu5oN9mp3cOSx9ZmsIq0Wl4ZmszpQSU-xlFH');
const proxyKey = keyPairFromSeed(Buffer.alloc(32, 7));
const signingKey = { publicKey: Buffer.from(proxyKey.publicKey), secretKey: Buffer.from(proxyKey.secretKey) };

interface SentMessage { to: string; op: number }

describe('proxy params migration (§6.7) on a sandbox chain', () => {
  /** Chain time = wall clock + offset (treasury sends use the wall clock; the offset skips the close delay). */
  let offsetSeconds = 0;
  let chain: SandboxChain;
  let admin: SandboxContract<TreasuryContract>;
  let rootAddress: Address;
  let directory: string;
  let proxyWallet: RunnerWallet;
  let clientWallet: RunnerWallet;
  const sent: SentMessage[] = [];
  let running: { instances: ProxyInstances; watcher: RootConfigWatcher; baseLedger: LmdbLedger } | undefined;

  /** The proxy wallet, recording every message it sends (target + op). */
  const spyWallet = (): SettlementWallet => ({
    address: proxyWallet.address,
    sendMessages: (messages) => {
      for (const message of messages) sent.push({ to: message.to.toRawString(), op: message.body ? message.body.beginParse().loadUint(32) : 0 });
      return proxyWallet.sendMessages(messages);
    },
  });

  async function startProxy(): Promise<{ instances: ProxyInstances; watcher: RootConfigWatcher; baseLedger: LmdbLedger }> {
    const baseLedger = await LmdbLedger.open({ path: directory, signingKey, auditThreads: 1 });
    const watcher = await RootConfigWatcher.open({ chain, rootAddress, intervalMs: 3_600_000, logger });
    const instances = new ProxyInstances({
      chain, wallet: spyWallet(), logger, rootAddress, ownerAddress: Address.parse(DEV_PROXY_OWNER_ADDRESS), proxyKey: signingKey, watcher, baseLedger,
      openLedger: (paramsVersion) => LmdbLedger.open({ path: join(directory, `params-v${paramsVersion}`), signingKey, auditThreads: 1 }),
      pollIntervalMs: 30, saveStateIntervalMs: 3_600_000, chargeThresholdNanoton: 1000n * TON, payoutThresholdNanoton: 1000n * TON,
      rootMaxAgeMs: 7_200_000, drainTimeoutMs: 1000, closeConfirmTimeoutMs: 20_000,
    });
    await instances.start();
    running = { instances, watcher, baseLedger };
    return running;
  }

  async function stopProxy(): Promise<void> {
    if (!running) return;
    running.watcher.close();
    await running.instances.close();
    await running.baseLedger.close();
    running = undefined;
  }

  async function deployClient(instances: ProxyInstances): Promise<Address> {
    const client = instances.settlement.contracts.client(clientWallet.address);
    const topUp = beginCell().storeUint(0xf172e6c2, 32).storeUint(1, 64).storeCoins(10n * TON).storeAddress(clientWallet.address).endCell();
    const { seqno } = await clientWallet.sendMessages([{ to: client.address, value: 11n * TON, body: topUp, init: client.init, bounce: false }]);
    await clientWallet.waitForSeqno(seqno, 10_000);
    return client.address;
  }

  async function deployWorker(instances: ProxyInstances): Promise<Address> {
    const worker = instances.settlement.contracts.worker(WORKER_OWNER);
    const deployer = await chain.blockchain.treasury('worker-deployer');
    await deployer.send({ to: worker.address, value: toNano('0.3'), init: worker.init, bounce: false });
    return worker.address;
  }

  async function serve(instances: ProxyInstances, id: string, tokens: number): Promise<void> {
    const { pricePerToken, workerFeePerToken } = instances.settlement.params;
    const total = BigInt(tokens);
    await instances.ledger.recordCompletion({
      requestId: id, clientOwner: clientWallet.address.toString({ bounceable: false, testOnly: true }), workerOwner: WORKER_OWNER.toString({ bounceable: false }),
      tokens: { prompt: tokens, cached: 0, completion: 0, reasoning: 0, total: tokens },
      clientCostNanoton: total * pricePerToken, workerEarnedNanoton: total * workerFeePerToken, proxyCommissionNanoton: total * (pricePerToken - workerFeePerToken), at: 0,
    });
  }

  /** Payout messages (op 0xc59a7cd3) that `from` sent to `to`, in nanoTON. */
  async function payoutsTo(to: Address, from: Address): Promise<bigint[]> {
    const transactions = await chain.getTransactions(to, { limit: 100 });
    return transactions.flatMap((transaction) => {
      const message = transaction.inMessage;
      if (!message || message.info.type !== 'internal' || !message.info.src.equals(from)) return [];
      const body: Cell = message.body;
      return body.bits.length >= 32 && body.beginParse().loadUint(32) === OP_PAYOUT ? [message.info.value.coins] : [];
    });
  }

  const opsTo = (address: Address, op: number) => sent.filter((message) => message.to === address.toRawString() && message.op === op).length;

  async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-migration-'));
    chain = await SandboxChain.create({ now: () => Math.floor(Date.now() / 1000) + offsetSeconds });
    admin = await chain.blockchain.treasury('root-admin');
    const params = devCocoonParams({ proxyCode: loadContractCode('proxy'), workerCode: loadContractCode('worker'), clientCode: loadContractCode('client') });
    const root = chain.blockchain.openContract(CocoonRootContract.fromConfig({ owner: admin.address, params }));
    await root.sendDeploy(admin.getSender(), toNano('1'));
    rootAddress = root.address;
    proxyWallet = new RunnerWallet({ chain, keyPair: keyPairFromSeed(Buffer.alloc(32, 8)), ownerAddress: Address.parse(DEV_PROXY_OWNER_ADDRESS), pollIntervalMs: 20 });
    await chain.fund(proxyWallet.address, 1000n * TON);
    clientWallet = new RunnerWallet({ chain, keyPair: keyPairFromSeed(Buffer.alloc(32, 9)), ownerAddress: Address.parse(DEV_CLIENT_OWNER_ADDRESS), pollIntervalMs: 20 });
    await chain.fund(clientWallet.address, 100n * TON);
  });

  after(async () => {
    await stopProxy();
    await chain.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('moves to new contracts, bills at the new price, closes the old instance across a restart', async () => {
    const { instances, watcher } = await startProxy();
    const first = instances.settlement;
    const oldProxy = first.proxyAddress;
    assert.equal(first.params.paramsVersion, 1);
    const oldClient = await deployClient(instances);
    const oldWorker = await deployWorker(instances);
    await serve(instances, 'a1', 300);
    await serve(instances, 'a2', 150);
    assert.equal(instances.gate.state, 'serving');

    // The root admin changes the fees: params_version 2.
    await admin.send({ to: rootAddress, value: toNano('0.05'), body: CocoonRootContract.adminBody({ type: 'changeFees', pricePerToken: 40n, workerFeePerToken: 30n }, 2n) });
    await watcher.refresh();
    assert.ok(instances.migration, 'the params listener started the migration');
    await instances.migration;

    const second = instances.settlement;
    assert.notEqual(second, first);
    assert.equal(second.params.paramsVersion, 2);
    assert.equal(second.params.pricePerToken, 40n);
    assert.ok(!second.proxyAddress.equals(oldProxy), 'a new proxy contract');
    const newProxy = await readContractData(chain, second.proxyAddress, parseProxyContractData);
    assert.equal(newProxy?.data.stake, second.params.minProxyStake, 'deployed with its stake');
    assert.equal((await instances.ledger.clientTotals(clientWallet.address.toString({ bounceable: false, testOnly: true }))).tokensMax, 0n, 'new instance totals start at zero');
    assert.equal((await instances.ledger.lastSaveStateSeqno()).committed, 1, 'first save-state of the new instance');

    // Usage after the switch, on the new contracts, at the new price.
    const newClient = await deployClient(instances);
    const newWorker = await deployWorker(instances);
    assert.ok(!newClient.equals(oldClient) && !newWorker.equals(oldWorker));
    await serve(instances, 'b1', 100);
    const report = await second.settle(30_000);
    assert.equal(report.client_paid_nanoton, String(100n * 40n));
    assert.equal((await readContractData(chain, newClient, parseClientContractData))?.data.balance, 10n * TON - 100n * 40n);
    assert.equal((await readContractData(chain, newWorker, parseWorkerContractData))?.data.tokens, 100n);

    // The old instance: final charge/payout, then close_request; stop while it waits for the delay.
    await until(() => instances.oldInstances()[0]?.closing_step === 'wait_unlock', 'close_request');
    assert.equal((await readContractData(chain, oldProxy, parseProxyContractData))?.data.status, 'closing');
    assert.equal((await readContractData(chain, oldClient, parseClientContractData))?.data.tokensUsed, 450n, 'final charge');
    assert.equal((await readContractData(chain, oldWorker, parseWorkerContractData))?.data.tokens, 450n, 'final payout');
    await stopProxy();

    // Restart from the same LMDB directory; the delay passes; the sequence resumes.
    const ownerBefore = (await chain.getAccount(Address.parse(DEV_PROXY_OWNER_ADDRESS))).balance;
    const restarted = await startProxy();
    assert.equal(restarted.instances.settlement.params.paramsVersion, 2, 'resumes on the new instance');
    assert.ok(restarted.instances.settlement.proxyAddress.equals(second.proxyAddress));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(restarted.instances.oldInstances()[0]?.closing_step, 'wait_unlock', 'resumed at the delay, still waiting');
    offsetSeconds += 700;
    await until(() => restarted.instances.oldInstances()[0]?.closing_step === 'done', 'old instance closed', 60_000);

    const client = await readContractData(chain, oldClient, parseClientContractData);
    assert.equal(client?.data.status, 'closed');
    assert.equal(client?.data.tokensUsed, 450n);
    const worker = await readContractData(chain, oldWorker, parseWorkerContractData);
    assert.equal(worker?.data.status, 'closed');
    assert.equal(worker?.data.tokens, 450n);
    const proxy = await readContractData(chain, oldProxy, parseProxyContractData);
    assert.ok(!proxy || proxy.data.status === 'closed');
    assert.ok((await chain.getAccount(oldProxy)).balance < TON / 100n, 'old proxy contract emptied');
    const ownerGot = (await chain.getAccount(Address.parse(DEV_PROXY_OWNER_ADDRESS))).balance - ownerBefore;
    assert.ok(ownerGot >= TON + 450n, `owner got the stake and the commission (${ownerGot})`);

    // Every nanoTON: old client deposit = charged at the old price + refund; worker paid exactly its fee per instance.
    assert.deepEqual(await payoutsTo(clientWallet.address, oldProxy), [10n * TON - 450n * 20n], 'the refund');
    assert.deepEqual((await payoutsTo(WORKER_OWNER, oldProxy)).reduce((sum, value) => sum + value, 0n), 450n * 19n);
    assert.deepEqual((await payoutsTo(WORKER_OWNER, second.proxyAddress)).reduce((sum, value) => sum + value, 0n), 100n * 30n);

    // No step was sent twice across the restart.
    assert.equal(opsTo(oldProxy, SignedPaymentOp.proxyCloseRequest), 1);
    assert.equal(opsTo(oldProxy, SignedPaymentOp.proxyCloseComplete), 1);
    assert.equal(opsTo(oldClient, SignedPaymentOp.clientCharge), 1);
    assert.equal(opsTo(oldClient, SignedPaymentOp.clientGrantRefund), 1);
    assert.equal(opsTo(oldWorker, SignedPaymentOp.workerPayout), 1);
    assert.equal(opsTo(oldWorker, SignedPaymentOp.workerLastPayout), 1);
    assert.equal(restarted.instances.json().params_version, 2);
  });

  test('refuses new requests while migrating and while the root is stale', async () => {
    const { instances } = running ?? await startProxy();
    instances.gate.migrating = true;
    assert.throws(() => instances.gate.check(), { code: 'CCN_ERR_TON_PARAMS_CHANGED' });
    instances.gate.migrating = false;
    assert.doesNotThrow(() => instances.gate.check());
    let now = 0;
    let syncedAt = 0;
    const gate = new AdmissionGate({ lastRootSyncAt: () => syncedAt, rootMaxAgeMs: 7_200_000, now: () => now });
    const registry = new GatedWorkerRegistry({}, gate);
    now = 7_200_001;
    assert.equal(gate.state, 'root_stale');
    assert.throws(() => registry.select('any-model', 1000), { code: 'CCN_ERR_TON_ROOT_STALE' });
    syncedAt = now;
    assert.equal(gate.state, 'serving');
    assert.throws(() => registry.select('any-model', 1000), (error: { code?: string }) => error.code !== 'CCN_ERR_TON_ROOT_STALE', 'serving again: only routing can fail');
  });
});
