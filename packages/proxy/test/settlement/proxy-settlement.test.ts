/**
 * The proxy on a sandbox chain: deploys its proxy contract from the root params, anchors
 * save-states (only then are totals committed to the blockchain and signed), signs charges
 * and payouts that verify, and settles: client contracts are charged and worker contracts
 * paid exactly the committed tokens, client paid = worker earned + proxy commission.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address, beginCell, toNano } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { createLogger, DEV_CLIENT_OWNER_ADDRESS, DEV_PROXY_OWNER_ADDRESS } from '@cocoon/protocol';
import {
  CocoonRootContract,
  RunnerWallet,
  SignedPaymentOp,
  devCocoonParams,
  loadContractCode,
  parseClientContractData,
  parseWorkerContractData,
  readContractData,
  readSignedPayment,
} from '@cocoon/ton';
import { SandboxChain } from '@cocoon/ton/emulator';
import { InMemoryLedger } from '../../src/ledger/index.ts';
import { ProxySettlement } from '../../src/settlement/index.ts';

const TON = 1_000_000_000n;
const logger = createLogger('proxy', { level: 'error' });
const WORKER_OWNER = 'UQBi-KmumZBHQu5oN9mp3cOSx9ZmsIq0Wl4ZmszpQSU-xlFH';

describe('proxy settlement on a sandbox chain', () => {
  let chain: SandboxChain;
  let settlement: ProxySettlement;
  let ledger: InMemoryLedger;
  let directory: string;
  const proxyKey = keyPairFromSeed(Buffer.alloc(32, 7));
  const clientWalletKey = keyPairFromSeed(Buffer.alloc(32, 9));
  let clientWallet: RunnerWallet;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-settlement-'));
    chain = await SandboxChain.create();
    const admin = await chain.blockchain.treasury('root-admin');
    const params = devCocoonParams({ proxyCode: loadContractCode('proxy'), workerCode: loadContractCode('worker'), clientCode: loadContractCode('client') });
    const root = chain.blockchain.openContract(CocoonRootContract.fromConfig({ owner: admin.address, params }));
    await root.sendDeploy(admin.getSender(), toNano('1'));
    const wallet = new RunnerWallet({ chain, keyPair: keyPairFromSeed(Buffer.alloc(32, 8)), ownerAddress: Address.parse(DEV_PROXY_OWNER_ADDRESS), pollIntervalMs: 20 });
    await chain.fund(wallet.address, 1000n * TON);
    ledger = new InMemoryLedger();
    settlement = new ProxySettlement({
      chain, wallet, ledger, logger, rootAddress: root.address, ownerAddress: Address.parse(DEV_PROXY_OWNER_ADDRESS),
      proxyKey: { publicKey: Buffer.from(proxyKey.publicKey), secretKey: Buffer.from(proxyKey.secretKey) },
      pollIntervalMs: 50, saveStateIntervalMs: 60_000, chargeThresholdNanoton: TON, payoutThresholdNanoton: 10n * TON,
    });
    await settlement.start();
    clientWallet = new RunnerWallet({ chain, keyPair: clientWalletKey, ownerAddress: Address.parse(DEV_CLIENT_OWNER_ADDRESS), pollIntervalMs: 20 });
    await chain.fund(clientWallet.address, 100n * TON);
  });

  after(async () => {
    await settlement.close();
    await chain.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('deploys the proxy contract and commits a first save-state', async () => {
    assert.equal((await chain.getAccount(settlement.proxyAddress)).state, 'active');
    assert.equal((await ledger.lastSaveStateSeqno()).committed, 1);
  });

  test('signs only committed totals; settle charges clients and pays workers exactly', async () => {
    const clientOwner = clientWallet.address.toString({ bounceable: false, testOnly: true });
    const client = settlement.contracts.client(clientWallet.address);
    // The client deploys its contract with a 10 TON top-up (ext_client_top_up, §6.5).
    const topUp = beginCell().storeUint(0xf172e6c2, 32).storeUint(1, 64).storeCoins(10n * TON).storeAddress(clientWallet.address).endCell();
    await clientWallet.sendMessages([{ to: client.address, value: 11n * TON, body: topUp, init: client.init, bounce: false }]);
    await clientWallet.waitForSeqno(0, 10_000);
    assert.equal((await readContractData(chain, client.address, parseClientContractData))?.data.balance, 10n * TON);
    const worker = settlement.contracts.worker(Address.parse(WORKER_OWNER));
    const deployer = await chain.blockchain.treasury('worker-deployer');
    await deployer.send({ to: worker.address, value: toNano('0.3'), init: worker.init, bounce: false });
    for (let index = 0; index < 3; index++) {
      await ledger.recordCompletion({
        requestId: `${index}a`, clientOwner, workerOwner: WORKER_OWNER,
        tokens: { prompt: 100, cached: 0, completion: 50, reasoning: 0, total: 150 },
        clientCostNanoton: 3000n, workerEarnedNanoton: 2850n, proxyCommissionNanoton: 150n, at: 0,
      });
    }
    assert.deepEqual(await settlement.signedClientPayment(clientOwner), { _: 'proxy.signedPaymentEmpty' }, 'nothing is committed to the blockchain yet');
    const report = await settlement.settle(30_000);
    const signed = await settlement.signedClientPayment(clientOwner);
    assert.equal(signed._, 'proxy.signedPayment');
    const payment = readSignedPayment((await import('@ton/core')).Cell.fromBoc(signed.data as Buffer)[0]!, {
      publicKey: Buffer.from(proxyKey.publicKey), op: SignedPaymentOp.clientCharge, expectedAddress: client.address,
    });
    assert.equal(payment.newTokens, 450n);
    assert.equal(report.tokens, '450');
    assert.equal(report.client_paid_nanoton, String(450n * 20n));
    assert.equal(report.worker_earned_nanoton, String(450n * 19n));
    assert.equal(report.proxy_commission_nanoton, String(450n * 1n));
    assert.equal(BigInt(report.client_paid_nanoton), BigInt(report.worker_earned_nanoton) + BigInt(report.proxy_commission_nanoton));
    const clientState = await readContractData(chain, client.address, parseClientContractData);
    assert.equal(clientState?.data.balance, 10n * TON - 450n * 20n);
    assert.equal((await readContractData(chain, worker.address, parseWorkerContractData))?.data.tokens, 450n);
  });
});
