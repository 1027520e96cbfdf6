/**
 * Proxy discovery from the root (docs/protocol.md §1.2), on a sandbox chain with the real root contract:
 * proxies registered with register_proxy ("IP:worker_port IP:client_port", or one address for both) are
 * what an on-chain client with discover_proxies dials (the client address of each entry), at most
 * max_proxies of them, chosen at random; a malformed entry is skipped, not fatal; an empty list or no
 * chain is a config error naming discover_proxies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toNano } from '@ton/core';
import { createLogger } from '@cocoon/protocol';
import { CocoonRootContract, devCocoonParams, loadContractCode, parseRegisteredProxyAddress } from '@cocoon/ton';
import { SandboxChain } from '@cocoon/ton/emulator';
import { clientConfigSchema } from '../../src/config/index.ts';
import { openClientChain } from '../../src/chain/client-chain-setup.ts';
import { clientProxyTargets } from '../../src/connection/client-proxy-targets.ts';

test('an on-chain client discovers the proxies the root registers', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-proxy-discovery-'));
  const chain = await SandboxChain.create({ now: () => 1_800_000_000 });
  const params = devCocoonParams({ proxyCode: loadContractCode('proxy'), workerCode: loadContractCode('worker'), clientCode: loadContractCode('client') });
  const owner = await chain.blockchain.treasury('root-owner');
  const root = chain.blockchain.openContract(CocoonRootContract.fromConfig({ owner: owner.address, params }));
  await root.sendDeploy(owner.getSender(), toNano('0.5'));
  for (const address of ['10.0.0.1:5222 10.0.0.1:8888', '10.0.0.2:8801', 'not an address', '10.0.0.3:5222 10.0.0.3:8888']) {
    await owner.send({ to: root.address, value: toNano('0.05'), body: CocoonRootContract.registerProxyBody(address) });
  }
  await owner.send({ to: root.address, value: toNano('0.05'), body: CocoonRootContract.unregisterProxyBody(4) }); // 10.0.0.3 leaves again
  const lines: string[] = [];
  const config = clientConfigSchema.parse({
    ton_endpoint: 'http://127.0.0.1:9/jsonRPC', root_contract_address: root.address.toString(), is_test: params.isTest,
    node_wallet_key_file: join(directory, 'wallet.key'), discover_proxies: true, max_proxies: 2,
  });
  const clientChain = await openClientChain(config, { logger: createLogger('client', { write: (line) => lines.push(line), level: 'debug' }), chain });
  try {
    const registered = clientChain.registeredProxyClientAddresses();
    assert.deepEqual(registered, ['10.0.0.1:8888', '10.0.0.2:8801'], 'client addresses, in seqno order; the malformed entry skipped');
    assert.ok(lines.some((line) => line.includes('skipping a malformed registered proxy')), 'the malformed entry is logged');
    assert.deepEqual(clientProxyTargets(config, registered, () => 0.99), ['10.0.0.2:8801', '10.0.0.1:8888'], 'random order, at most max_proxies');
    assert.deepEqual(clientProxyTargets({ ...config, max_proxies: 1 }, registered, () => 0), ['10.0.0.1:8888']);
  } finally {
    await clientChain.close();
    rmSync(directory, { recursive: true, force: true });
  }
});

test('discovery errors name discover_proxies; without it proxy_addresses or proxy_address are dialed', () => {
  const config = clientConfigSchema.parse({ discover_proxies: true });
  assert.throws(() => clientProxyTargets(config, undefined), (error: Error & { param?: string }) => /needs ton_endpoint/.test(error.message) && error.param === 'discover_proxies');
  assert.throws(() => clientProxyTargets(config, []), /registers no proxy/);
  assert.deepEqual(clientProxyTargets(clientConfigSchema.parse({}), undefined), ['127.0.0.1:11002'], 'the one proxy of the reference');
  assert.deepEqual(clientProxyTargets(clientConfigSchema.parse({ proxy_addresses: ['a:1', 'b:2', 'c:3', 'd:4'] }), undefined), ['a:1', 'b:2', 'c:3'], 'in order, max_proxies 3');
  const both = clientConfigSchema.safeParse({ discover_proxies: true, proxy_addresses: ['a:1'] });
  assert.equal(both.success, false);
  assert.deepEqual(both.error?.issues.map((issue) => issue.path.join('.')), ['discover_proxies']);
  assert.deepEqual(clientConfigSchema.safeParse({ proxy_addresses: ['a:1', 'a:1'] }).error?.issues.map((issue) => issue.path.join('.')), ['proxy_addresses']);
  assert.deepEqual([...new Set(clientConfigSchema.safeParse({ proxy_addresses: ['no-port'] }).error?.issues.map((issue) => issue.path.join('.')))], ['proxy_addresses.0']);
});

test('registered proxy entries: worker address first, client address second, one address for both', () => {
  assert.deepEqual(parseRegisteredProxyAddress('1.2.3.4:5222 1.2.3.4:8888'), { workerAddress: '1.2.3.4:5222', clientAddress: '1.2.3.4:8888' });
  assert.deepEqual(parseRegisteredProxyAddress('proxy.example:443'), { workerAddress: 'proxy.example:443', clientAddress: 'proxy.example:443' });
  for (const bad of ['', 'a:1 b:2 c:3', 'host', 'host:0', 'a:1 b']) assert.throws(() => parseRegisteredProxyAddress(bad), /expected "host:worker_port host:client_port"/, bad);
});
