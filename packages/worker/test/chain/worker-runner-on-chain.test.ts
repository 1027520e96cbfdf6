/**
 * The worker runner on chain end to end against a scripted proxy (real PoW + TLS listener) and
 * a SandboxChain: the handshake verifies and deploys the worker contract, sends its durable
 * balance claim, polls worker.updatePaymentStatus, shows proxies[]/wallet in /jsonstats and cashes
 * out on POST /request/payout; after a restart a proxy that rolled back is refused (disconnect).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyPairFromSeed } from '@ton/crypto';
import { readAdminToken, type RunnerHandle, type TlObject } from '@cocoon/protocol';
import { loadOrCreateKeySeed, parseWorkerContractData, readContractData, RunnerWallet } from '@cocoon/ton';
import type { SecureServer } from '@cocoon/attestation';
import { workerConfigSchema } from '../../src/config/index.ts';
import { startTestEngine } from '../../src/engine/index.ts';
import { startWorkerRunner } from '../../src/worker-runner.ts';
import { startScriptedProxy, type ScriptedPeerConnection } from '@cocoon/test-support';
import { compareResult, createWorkerChainWorld, signedPayout, type WorkerChainWorld } from './worker-chain-test-kit.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => { resolve = done; });
  return { promise, resolve };
}

type ProxyScript = (peer: ScriptedPeerConnection, attempt: number) => Promise<void>;

/** connectToProxy → connectedToProxy with the world's real contracts; returns the compare query. */
async function handshakeUntilCompare(world: WorkerChainWorld, peer: ScriptedPeerConnection): Promise<{ id: bigint; claim: TlObject }> {
  const connect = await peer.next();
  peer.write({ _: 'tcp.connected', id: connect.id as bigint });
  const hello = await peer.expect('worker.connectToProxy');
  peer.answer(hello.packet.id as bigint, {
    _: 'worker.connectedToProxy', params: { ...world.proxyParams, flags: 3, proto_version: 4 }, worker_sc_address: world.workerContract.toString(),
  });
  const compare = await peer.expect('worker.compareBalanceWithProxy');
  return { id: compare.packet.id as bigint, claim: compare.inner };
}

async function finishHandshake(peer: ScriptedPeerConnection): Promise<void> {
  const complete = await peer.expect('worker.proxyHandshakeComplete');
  peer.answer(complete.packet.id as bigint, { _: 'worker.proxyHandshakeCompleted' });
}

describe('worker runner on chain', () => {
  const directory = mkdtempSync(join(tmpdir(), 'worker-runner-chain-'));
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(directory, { recursive: true, force: true });
  });

  test('handshake, payment status, /jsonstats, /request/payout, then rollback refusal after restart', async () => {
    const world = await createWorkerChainWorld();
    const engine = await startTestEngine({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => engine.close());
    const keyFile = join(directory, 'node-wallet.key');
    const wallet = new RunnerWallet({ chain: world.chain, keyPair: keyPairFromSeed(loadOrCreateKeySeed(keyFile)), ownerAddress: world.workerOwner });
    await world.chain.fund(wallet.address, 20_000_000_000n);

    const claims: TlObject[] = [];
    let script: ProxyScript = async () => undefined;
    let attempts = 0;
    const proxy: SecureServer = await startScriptedProxy((peer) => { attempts += 1; void script(peer, attempts).catch(() => undefined); });
    cleanups.push(() => proxy.close());

    const polled = deferred();
    script = async (peer) => {
      const compare = await handshakeUntilCompare(world, peer);
      claims.push(compare.claim);
      peer.answer(compare.id, compareResult({ _: 'proxy.signedPaymentEmpty' }, 0n, 0n));
      await finishHandshake(peer);
      const status = await peer.expect('worker.updatePaymentStatus');
      peer.answer(status.packet.id as bigint, { _: 'worker.paymentStatus', signed_payment: signedPayout(world, 2000n), db_tokens: 2100n, max_tokens: 2200n });
      polled.resolve();
    };
    const config = workerConfigSchema.parse({
      engine_url: engine.url, proxy_address: `127.0.0.1:${proxy.port}`, http_port: 0,
      owner_address: world.workerOwner.toString(), root_contract_address: world.rootAddress.toString(),
      node_wallet_key_file: keyFile, worker_state_dir: join(directory, 'state'), payment_status_interval_ms: 50,
      admin_token_file: join(directory, 'admin.token'),
    });
    const start = () => startWorkerRunner(config, { logger: world.logger, chain: world.chain });
    let worker: RunnerHandle = await start();
    cleanups.push(() => worker.close());
    assert.deepEqual([claims[0]?.tokens_committed_to_blockchain, claims[0]?.tokens_committed_to_db, claims[0]?.max_tokens], [0n, 0n, 0n]);
    assert.equal((await world.chain.getAccount(world.workerContract)).state, 'active', 'deployed during the handshake');
    await polled.promise;
    await new Promise((resolve) => setTimeout(resolve, 50));

    const statsUrl = worker.readyInfo.stats_url as string;
    const stats = await (await fetch(`${statsUrl}/jsonstats`)).json() as { proxies: Array<Record<string, unknown>>; wallet: Record<string, unknown> };
    assert.equal(stats.wallet.address, wallet.friendlyAddress());
    assert.equal(typeof stats.wallet.balance, 'number');
    assert.equal(stats.proxies.length, 1);
    assert.deepEqual(
      [stats.proxies[0]?.sc_inited, stats.proxies[0]?.proxy_sc_address, stats.proxies[0]?.sc_address],
      [true, world.proxyContract.toString(), world.workerContract.toString()],
    );
    assert.deepEqual(
      [stats.proxies[0]?.earned_tokens_committed_to_blockchain, stats.proxies[0]?.earned_tokens_committed_to_proxy_db, stats.proxies[0]?.earned_tokens_max_known, stats.proxies[0]?.cached_out_tokens],
      [2000, 2100, 2200, 0],
    );

    const authorization = `Bearer ${readAdminToken(join(directory, 'admin.token'))}`;
    const payout = await (await fetch(`${statsUrl}/request/payout`, { method: 'POST', headers: { authorization } })).json() as { results: Array<Record<string, unknown>> };
    assert.equal(payout.results[0]?.sent, true);
    assert.equal(payout.results[0]?.tokens, 2000);
    assert.equal((await readContractData(world.chain, world.workerContract, parseWorkerContractData))?.data.tokens, 2000n);
    await worker.close();

    // Restart: the worker claims what it stored; a proxy whose signed total went back is refused, an honest one accepted.
    const refused = deferred();
    script = async (peer, attempt) => {
      const compare = await handshakeUntilCompare(world, peer);
      claims.push(compare.claim);
      if (attempt === 2) {
        peer.answer(compare.id, compareResult(signedPayout(world, 1500n), 2100n, 2200n));
        refused.resolve();
        return;
      }
      peer.answer(compare.id, compareResult(signedPayout(world, 2000n), 2100n, 2200n));
      await finishHandshake(peer);
    };
    worker = await start();
    await refused.promise;
    assert.equal(attempts, 3, 'the rolled-back proxy was dropped and the worker reconnected');
    assert.deepEqual([claims[1]?.tokens_committed_to_blockchain, claims[1]?.tokens_committed_to_db, claims[1]?.max_tokens], [2000n, 2100n, 2200n]);
    assert.ok(world.logLines.some((line) => line.includes('rolled back')), 'rollback logged');
  });
});
