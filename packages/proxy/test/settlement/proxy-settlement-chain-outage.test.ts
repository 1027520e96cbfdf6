/**
 * The proxy's settlement poll while its chain is down (found by the chaos suite: a killed chain made
 * every 200 ms tick wait on the same failing poll, ~20 warnings per failure): one poll tick runs at a
 * time, so each failed poll is logged once, and polling resumes by itself when the chain answers again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, toNano } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { CocoonError, createLogger, DEV_PROXY_OWNER_ADDRESS } from '@cocoon/protocol';
import { CocoonRootContract, RunnerWallet, devCocoonParams, loadContractCode } from '@cocoon/ton';
import { SandboxChain } from '@cocoon/ton/emulator';
import { InMemoryLedger } from '../../src/ledger/index.ts';
import { ProxySettlement } from '../../src/settlement/index.ts';

const TON = 1_000_000_000n;

test('a chain outage: one poll at a time, one warning per failed poll, polling resumes after it', async () => {
  const lines: string[] = [];
  const logger = createLogger('proxy', { level: 'warn', write: (line: string) => { lines.push(line); } });
  const chain = await SandboxChain.create();
  const admin = await chain.blockchain.treasury('root-admin');
  const params = devCocoonParams({ proxyCode: loadContractCode('proxy'), workerCode: loadContractCode('worker'), clientCode: loadContractCode('client') });
  const root = chain.blockchain.openContract(CocoonRootContract.fromConfig({ owner: admin.address, params }));
  await root.sendDeploy(admin.getSender(), toNano('1'));
  const wallet = new RunnerWallet({ chain, keyPair: keyPairFromSeed(Buffer.alloc(32, 8)), ownerAddress: Address.parse(DEV_PROXY_OWNER_ADDRESS), pollIntervalMs: 20 });
  await chain.fund(wallet.address, 1000n * TON);
  const proxyKey = keyPairFromSeed(Buffer.alloc(32, 7));
  const settlement = new ProxySettlement({
    chain, wallet, ledger: new InMemoryLedger(), logger, rootAddress: root.address, ownerAddress: Address.parse(DEV_PROXY_OWNER_ADDRESS),
    proxyKey: { publicKey: Buffer.from(proxyKey.publicKey), secretKey: Buffer.from(proxyKey.secretKey) },
    pollIntervalMs: 10, saveStateIntervalMs: 60_000, chargeThresholdNanoton: TON, payoutThresholdNanoton: 10n * TON,
  });
  await settlement.start();
  try {
    // The chain goes down: every transaction read takes 300 ms, then fails as the chain client does.
    const getTransactions = chain.getTransactions.bind(chain);
    let down = true;
    let reads = 0;
    let failedReads = 0;
    let concurrent = 0;
    let mostConcurrent = 0;
    chain.getTransactions = async (...args: Parameters<typeof chain.getTransactions>) => {
      reads += 1;
      if (!down) return getTransactions(...args);
      concurrent += 1;
      mostConcurrent = Math.max(mostConcurrent, concurrent);
      await new Promise((resolve) => setTimeout(resolve, 300));
      concurrent -= 1;
      failedReads += 1;
      throw new CocoonError('CCN_ERR_TON_UNAVAILABLE', 'chain API unavailable for getTransactions after 4 attempts (no answer)');
    };
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const warnings = lines.filter((line) => line.includes('settlement poll failed'));
    assert.equal(mostConcurrent, 1, 'one poll at a time');
    assert.ok(failedReads >= 1 && warnings.length >= 1 && warnings.length <= failedReads, `one warning per failed poll, not one per 10 ms tick: ${warnings.length} warnings, ${failedReads} failed reads`);
    down = false;
    const readsWhenUp = reads;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.ok(reads > readsWhenUp + 3, 'polling resumed when the chain came back');
  } finally {
    await settlement.close();
  }
});
