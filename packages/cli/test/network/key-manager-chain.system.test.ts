/**
 * System test of the key manager in `cocoon dev` on chain (simulated TDX): the bootstrap names it
 * on the dev root (machine key, image hash, address), it publishes its first key with the signed op
 * before it is ready, and the proxy and the worker — each verifying its attested image hash against
 * the root — fetch the private keys from it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { createChain, readRootConfig } from '@cocoon/ton';
import { startDevNetwork } from '../../src/index.ts';
import type { DevNetwork } from '../../src/index.ts';
import { ChildLogs, fetchJson, freePorts } from './network-harness.ts';

interface KeyManagerStats {
  keys: Array<{ public_key: string }>;
  requests: { served_to_proxies: number; served_to_workers: number; refused: number };
  root: { names_this_key_manager: boolean };
}

describe('cocoon dev network: the key manager', { timeout: 300_000 }, () => {
  const logs = new ChildLogs();
  let network: DevNetwork;
  let directory: string;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-key-manager-'));
    const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chain, keyManagerHttp, keyManagerRpc] = await freePorts(9);
    network = await startDevNetwork({
      engine: 'test', workers: 1,
      ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chain, keyManagerHttp, keyManagerRpc },
      powDifficulty: 8, onLine: logs.onLine, readyTimeoutMs: 180_000,
      chain: { directory, saveStateIntervalMs: 60_000, pollIntervalMs: 200 },
    });
  });

  after(async () => {
    await network?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  test('the key manager is named on the root, publishes its key, and serves the proxy and the worker', async () => {
    const statsUrl = network.statsUrls['key-manager']!.replace(/\/stats$/, '/jsonstats');
    const first = (await fetchJson(statsUrl)) as unknown as KeyManagerStats;
    assert.equal(first.root.names_this_key_manager, true);
    assert.equal(first.keys.length, 1);
    const chain = await createChain({ kind: 'toncenter', endpoint: network.chain!.endpoint });
    try {
      const root = await readRootConfig(chain, Address.parse(network.chain!.rootAddress));
      assert.ok(root.registeredPublicKeys.some((key) => key.publicKey === first.keys[0]!.public_key), 'the root lists the key');
      assert.ok(root.keyManager && root.keyManager.address !== '', 'the root names the key manager');
    } finally {
      await chain.close();
    }
    const deadline = Date.now() + 60_000;
    let stats = first;
    while ((stats.requests.served_to_proxies === 0 || stats.requests.served_to_workers === 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      stats = (await fetchJson(statsUrl)) as unknown as KeyManagerStats;
    }
    assert.ok(stats.requests.served_to_proxies > 0, `the proxy fetched the keys\n${logs.tail()}`);
    assert.ok(stats.requests.served_to_workers > 0, `the worker fetched the keys\n${logs.tail()}`);
    assert.equal(stats.requests.refused, 0);
  });
});
