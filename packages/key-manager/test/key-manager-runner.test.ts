/**
 * The key manager runner on a sandbox chain (real TVM root, real LMDB, real attested TLS): the
 * first key is published with root_add_public_key_signed and the root lists it; an attested proxy
 * whose image hash is in proxy_hashes gets every valid private key, a worker whose hash is not in
 * worker_hashes gets a clear TL error; a client expecting another image hash refuses the key
 * manager; the admin endpoints need the token; keys survive a restart; and a root that is not
 * is_test refuses the debug key and check_hashes off.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address, toNano } from '@ton/core';
import { CocoonError, EncryptionKeyRing, createLogger, type RunnerHandle } from '@cocoon/protocol';
import { KeyManagerClient, RunnerAttestation, computeImageHash, zeroMeasurements } from '@cocoon/attestation';
import { CocoonRootContract, RunnerWallet, devCocoonParams, loadContractCode, loadOrCreateKeyPair, readRootConfig, readSignedPublicKeyBody } from '@cocoon/ton';
import { SandboxChain } from '@cocoon/ton/emulator';
import { DEBUG_KEY_PUBLIC_BASE64, keyManagerConfigSchema, publicationBody, startKeyManagerRunner, type KeyManagerConfigInput } from '../src/index.ts';

const OWNER = Address.parse('0QBgPMq7ye2WRcudRHK_-yjHwMXjeN-UCzAuoo06TR6hmgHV');
const FAKE_IMAGE_HASH = computeImageHash(zeroMeasurements()).toString('hex');
const silent = createLogger('test', { write: () => undefined });

async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('key manager runner on a sandbox root', () => {
  let directory: string;
  let chain: SandboxChain;
  let rootAddress: Address;
  let runner: RunnerHandle;
  let config: KeyManagerConfigInput;
  let proxy: RunnerAttestation;
  const clients: KeyManagerClient[] = [];

  const configFor = (overrides: Partial<KeyManagerConfigInput> = {}): KeyManagerConfigInput => ({
    host: '127.0.0.1', rpc_port: 0, http_port: 0, pow_difficulty: 1, tee: 'fake_tdx', peer_policy: 'fake_tdx',
    db_path: join(directory, 'db'), machine_key_file: join(directory, 'machine.key'), node_wallet_key_file: join(directory, 'wallet.key'),
    admin_token_file: join(directory, 'admin.token'), attestation_collateral_dir: join(directory, 'collateral'),
    owner_address: OWNER.toString(), root_contract_address: rootAddress.toString(), ...overrides,
  });

  const clientFor = (role: 'proxy' | 'worker', keyRing: EncryptionKeyRing, imageHash = FAKE_IMAGE_HASH): KeyManagerClient => {
    const rpcPort = runner.readyInfo.rpc_port as number;
    const client = new KeyManagerClient({
      role, protoVersion: 0, locate: () => ({ address: `127.0.0.1:${rpcPort}`, imageHash }),
      identity: proxy.certificate, verifier: proxy.verifier({ policy: 'fake_tdx', networkIsTest: true }), keyRing, logger: silent,
    });
    clients.push(client);
    return client;
  };

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-km-runner-'));
    chain = await SandboxChain.create();
    const machine = loadOrCreateKeyPair(join(directory, 'machine.key'));
    const params = devCocoonParams({ proxyCode: loadContractCode('proxy'), workerCode: loadContractCode('worker'), clientCode: loadContractCode('client') });
    const rootOwner = await chain.blockchain.treasury('root-owner');
    const root = chain.blockchain.openContract(CocoonRootContract.fromConfig({ owner: rootOwner.address, params, proxyHashes: [FAKE_IMAGE_HASH] }));
    await root.sendDeploy(rootOwner.getSender(), toNano('1'));
    await root.sendChangeKeyManager(rootOwner.getSender(), toNano('0.05'), { publicKey: machine.publicKey, imageHash: FAKE_IMAGE_HASH, address: '127.0.0.1:13001' });
    rootAddress = root.address;
    const wallet = new RunnerWallet({ chain, keyPair: loadOrCreateKeyPair(join(directory, 'wallet.key')), ownerAddress: OWNER });
    await chain.fund(wallet.address, toNano('20'));
    config = configFor();
    runner = await startKeyManagerRunner(keyManagerConfigSchema.parse(config), { chain, logger: silent });
    proxy = await RunnerAttestation.open({
      role: 'proxy', tee: 'fake_tdx', devAuthorityDir: '', pccsUrl: 'https://127.0.0.1:1', collateralDir: join(directory, 'proxy-collateral'),
      logger: silent, now: () => new Date(),
    });
  });

  after(async () => {
    for (const client of clients) client.close();
    await runner?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('the first key is published on the root with the signed op', async () => {
    const stats = await (await fetch(`${runner.readyInfo.stats_url as string}/jsonstats`)).json() as { keys: Array<{ public_key: string }> };
    assert.equal(stats.keys.length, 1);
    const published = stats.keys[0]!.public_key;
    await waitUntil('the root lists the key', async () => (await readRootConfig(chain, rootAddress)).registeredPublicKeys.some((key) => key.publicKey === published));
    const registered = (await readRootConfig(chain, rootAddress)).registeredPublicKeys.find((key) => key.publicKey === published)!;
    assert.equal(registered.keyType, 1);
    assert.ok(registered.expireAt > Date.now() / 1000 + 86_000, 'valid about 24 h');
  });

  test('the publication body: op 0x9e0e1821, the key, signed by the machine key, excess back to the wallet', () => {
    const machine = loadOrCreateKeyPair(join(directory, 'machine.key'));
    const body = publicationBody({ publicKey: Buffer.alloc(32, 5), keyType: 1, expireAt: 1_900_000_000 }, machine, OWNER, 77n);
    assert.equal(body.beginParse().loadUint(32), 0x9e0e1821);
    const parsed = readSignedPublicKeyBody(body, machine.publicKey);
    assert.deepEqual(
      { publicKey: parsed.publicKey, keyType: parsed.keyType, expireAt: parsed.expireAt, queryId: parsed.queryId, valid: parsed.signatureValid },
      { publicKey: '05'.repeat(32), keyType: 1, expireAt: 1_900_000_000, queryId: 77n, valid: true },
    );
    assert.ok(parsed.sendExcessesTo?.equals(OWNER));
    assert.equal(readSignedPublicKeyBody(body, Buffer.alloc(32, 1)).signatureValid, false);
  });

  test('an attested proxy with a listed image hash gets every valid private key', async () => {
    const keyRing = new EncryptionKeyRing();
    const client = clientFor('proxy', keyRing);
    await client.poll();
    assert.equal(client.state, 'ready', client.lastError);
    const stats = await (await fetch(`${runner.readyInfo.stats_url as string}/jsonstats`)).json() as { keys: Array<{ public_key: string }> };
    assert.equal(keyRing.size, stats.keys.length);
    for (const key of stats.keys) assert.ok(keyRing.privateKeyFor(Buffer.from(key.public_key, 'hex'), Math.floor(Date.now() / 1000)));
  });

  test('a worker whose image hash is not in worker_hashes is refused with a clear error', async () => {
    const keyRing = new EncryptionKeyRing();
    const client = clientFor('worker', keyRing);
    await client.poll();
    assert.equal(client.state, 'failing');
    assert.match(client.lastError ?? '', /unknown worker hash [0-9a-f]{64}: not in the root contract's worker_hashes/);
    assert.equal(keyRing.size, 0);
  });

  test('a client refuses a key manager whose image hash is not the root\'s', async () => {
    const keyRing = new EncryptionKeyRing();
    const client = clientFor('proxy', keyRing, 'ab'.repeat(32));
    await client.poll();
    assert.equal(client.state, 'failing');
    assert.match(client.lastError ?? '', /not the root's key_manager_image_hash/);
    assert.equal(keyRing.size, 0);
  });

  test('the admin endpoints need the token; generatekey and removekey work with it', async () => {
    const base = runner.readyInfo.stats_url as string;
    const { readFileSync } = await import('node:fs');
    const token = readFileSync(join(directory, 'admin.token'), 'utf8').trim();
    assert.equal((await fetch(`${base}/request/generatekey`, { method: 'POST' })).status, 401);
    assert.equal((await fetch(`${base}/request/removekey?key=${'00'.repeat(32)}`, { method: 'POST' })).status, 401);
    const generated = await fetch(`${base}/request/generatekey`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(generated.status, 200);
    const key = (await generated.json() as { generated: { public_key: string } }).generated.public_key;
    const bad = await fetch(`${base}/request/removekey?key=xyz`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(bad.status, 400);
    const removed = await fetch(`${base}/request/removekey?key=${key}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(await removed.json(), { removed: true });
    const statsText = await (await fetch(`${base}/jsonstats`)).text();
    assert.ok(!statsText.includes(key), 'the removed key is gone');
  });

  test('keys survive a restart: the same key is served, none is minted', async () => {
    const before = await (await fetch(`${runner.readyInfo.stats_url as string}/jsonstats`)).json() as { keys: Array<{ public_key: string }> };
    await runner.close();
    runner = await startKeyManagerRunner(keyManagerConfigSchema.parse(config), { chain, logger: silent });
    const afterRestart = await (await fetch(`${runner.readyInfo.stats_url as string}/jsonstats`)).json() as { keys: Array<{ public_key: string }>; key_store: { refused_records: unknown[] } };
    assert.deepEqual(afterRestart.keys.map((key) => key.public_key), before.keys.map((key) => key.public_key));
    assert.deepEqual(afterRestart.key_store.refused_records, []);
  });

  test('a root that is not is_test refuses the debug key and check_hashes off', async () => {
    const params = { ...devCocoonParams({ proxyCode: loadContractCode('proxy'), workerCode: loadContractCode('worker'), clientCode: loadContractCode('client') }), isTest: false };
    const rootOwner = await chain.blockchain.treasury('production-root-owner');
    const production = chain.blockchain.openContract(CocoonRootContract.fromConfig({ owner: rootOwner.address, params }));
    await production.sendDeploy(rootOwner.getSender(), toNano('1'));
    const start = (overrides: Partial<KeyManagerConfigInput>) => startKeyManagerRunner(
      keyManagerConfigSchema.parse(configFor({ root_contract_address: production.address.toString(), db_path: join(directory, 'db-production'), is_test: false, ...overrides })),
      { chain, logger: silent },
    );
    await assert.rejects(start({ add_default_key: true }), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_CONFIG_INVALID' && error.param === 'add_default_key');
    await assert.rejects(start({ check_hashes: false }), (error: unknown) => error instanceof CocoonError && error.param === 'check_hashes');
    await assert.rejects(start({ is_test: true }), (error: unknown) => error instanceof CocoonError && error.param === 'is_test');
  });

  test('off chain on a dev network: the debug key is served with add_default_key, check_hashes must be off', async () => {
    const offChain = (overrides: Partial<KeyManagerConfigInput>) => startKeyManagerRunner(keyManagerConfigSchema.parse(configFor({
      root_contract_address: '', db_path: join(directory, 'db-off-chain'), machine_key_file: join(directory, 'off-chain.key'), ...overrides,
    })), { logger: silent });
    await assert.rejects(offChain({}), (error: unknown) => error instanceof CocoonError && error.param === 'check_hashes');
    const handle = await offChain({ check_hashes: false, add_default_key: true });
    try {
      const stats = await (await fetch(`${handle.readyInfo.stats_url as string}/jsonstats`)).json() as { keys: Array<{ public_key: string; debug_key?: boolean }> };
      const debugHex = Buffer.from(DEBUG_KEY_PUBLIC_BASE64, 'base64').toString('hex');
      assert.ok(stats.keys.some((key) => key.public_key === debugHex && key.debug_key === true));
      assert.equal(stats.keys.length, 2, 'the debug key and a minted one');
    } finally {
      await handle.close();
    }
  });
});
