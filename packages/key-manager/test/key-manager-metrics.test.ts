/**
 * The key manager's `/metrics` and JSON logs on a sandbox root (real TVM root, real LMDB, real
 * attested TLS): the Prometheus content type; a served proxy request and a refused worker request
 * counted by peer role and result; the publication of the first key counted; valid_keys equal to
 * the keys in /jsonstats; metrics_require_token refusing a scrape without the admin token; and the
 * runner's JSON log lines, one object per line, never carrying a private key it minted or served.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address, toNano } from '@ton/core';
import { EncryptionKeyRing, createLogger, type RunnerHandle } from '@cocoon/protocol';
import { KeyManagerClient, RunnerAttestation, computeImageHash, zeroMeasurements } from '@cocoon/attestation';
import { CocoonRootContract, RunnerWallet, devCocoonParams, loadContractCode, loadOrCreateKeyPair } from '@cocoon/ton';
import { SandboxChain } from '@cocoon/ton/emulator';
import { keyManagerConfigSchema, startKeyManagerRunner, type KeyManagerConfigInput } from '../src/index.ts';

const OWNER = Address.parse('0QBgPMq7ye2WRcudRHK_-yjHwMXjeN-UCzAuoo06TR6hmgHV');
const FAKE_IMAGE_HASH = computeImageHash(zeroMeasurements()).toString('hex');
const silent = createLogger('test', { write: () => undefined });

/** One sample of the Prometheus text: its value, or undefined when no line has this name and these labels. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.keys(found).length === Object.keys(labels).length && Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('key manager metrics and JSON logs', () => {
  let directory: string;
  let chain: SandboxChain;
  let rootAddress: Address;
  let runner: RunnerHandle;
  let proxy: RunnerAttestation;
  const logLines: string[] = [];
  /** Every private key the runner minted (its injected randomness). */
  const minted: Buffer[] = [];
  const served: Buffer[] = [];
  const clients: KeyManagerClient[] = [];
  const jsonLogger = createLogger('key-manager', { level: 'debug', format: 'json', write: (line) => logLines.push(line) });
  const random = (bytes: number): Buffer => {
    const value = randomBytes(bytes);
    minted.push(Buffer.from(value));
    return value;
  };

  const configFor = (overrides: Partial<KeyManagerConfigInput> = {}): KeyManagerConfigInput => ({
    host: '127.0.0.1', rpc_port: 0, http_port: 0, pow_difficulty: 1, tee: 'fake_tdx', peer_policy: 'fake_tdx', log_format: 'json',
    db_path: join(directory, 'db'), machine_key_file: join(directory, 'machine.key'), node_wallet_key_file: join(directory, 'wallet.key'),
    admin_token_file: join(directory, 'admin.token'), attestation_collateral_dir: join(directory, 'collateral'),
    owner_address: OWNER.toString(), root_contract_address: rootAddress.toString(), ...overrides,
  });

  const clientFor = (role: 'proxy' | 'worker', keyRing: EncryptionKeyRing): KeyManagerClient => {
    const rpcPort = runner.readyInfo.rpc_port as number;
    const client = new KeyManagerClient({
      role, protoVersion: 0, locate: () => ({ address: `127.0.0.1:${rpcPort}`, imageHash: FAKE_IMAGE_HASH }),
      identity: proxy.certificate, verifier: proxy.verifier({ policy: 'fake_tdx', networkIsTest: true }), keyRing, logger: silent,
    });
    clients.push(client);
    return client;
  };
  const metricsText = async (handle: RunnerHandle = runner) => (await fetch(`${handle.readyInfo.stats_url as string}/metrics`)).text();

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-km-metrics-'));
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
    runner = await startKeyManagerRunner(keyManagerConfigSchema.parse(configFor()), { chain, logger: jsonLogger, random });
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

  test('/metrics answers in the Prometheus text format with the key manager\'s metrics', async () => {
    const response = await fetch(`${runner.readyInfo.stats_url as string}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    assert.match(text, /^# TYPE cocoon_key_manager_key_requests_total counter$/m);
    assert.match(text, /^# TYPE cocoon_key_manager_valid_keys gauge$/m);
    assert.equal(sample(text, 'cocoon_key_manager_key_publications_total', { result: 'success' }), 1, 'the first key was sent to the root');
    assert.equal(sample(text, 'cocoon_attestation_certificate_refreshes_total'), 0);
    const syncAge = sample(text, 'cocoon_chain_root_sync_age_seconds');
    assert.ok(syncAge !== undefined && syncAge >= 0 && syncAge < 600, `chain sync age ${String(syncAge)}`);
    const expiry = sample(text, 'cocoon_key_manager_next_key_expiry_seconds');
    assert.ok(expiry !== undefined && expiry > 86_000 && expiry <= 86_400, `next expiry ${String(expiry)} ≈ 24 h`);
  });

  test('a served proxy request and a refused worker request are counted by peer role and result', async () => {
    const proxyRing = new EncryptionKeyRing();
    const proxyClient = clientFor('proxy', proxyRing);
    await proxyClient.poll();
    assert.equal(proxyClient.state, 'ready', proxyClient.lastError);
    const workerRing = new EncryptionKeyRing();
    const workerClient = clientFor('worker', workerRing);
    await workerClient.poll();
    assert.equal(workerClient.state, 'failing');
    const text = await metricsText();
    assert.equal(sample(text, 'cocoon_key_manager_key_requests_total', { peer_role: 'proxy', result: 'success' }), 1);
    assert.equal(sample(text, 'cocoon_key_manager_key_requests_total', { peer_role: 'worker', result: 'refused' }), 1);
    assert.equal(sample(text, 'cocoon_key_manager_key_requests_total', { peer_role: 'worker', result: 'success' }), undefined);
    assert.equal(sample(text, 'cocoon_key_manager_key_requests_total', { peer_role: 'proxy', result: 'refused' }), undefined);
    const stats = await (await fetch(`${runner.readyInfo.stats_url as string}/jsonstats`)).json() as { keys: Array<{ public_key: string }> };
    for (const key of stats.keys) {
      const privateKey = proxyRing.privateKeyFor(Buffer.from(key.public_key, 'hex'), Math.floor(Date.now() / 1000));
      if (privateKey) served.push(Buffer.from(privateKey));
    }
    assert.equal(served.length, stats.keys.length, 'the proxy holds every private key');
  });

  test('valid_keys equals the keys in /jsonstats, also after the operator mints one', async () => {
    const base = runner.readyInfo.stats_url as string;
    const keysInStats = async () => ((await (await fetch(`${base}/jsonstats`)).json()) as { keys: unknown[] }).keys.length;
    assert.equal(sample(await metricsText(), 'cocoon_key_manager_valid_keys'), await keysInStats());
    const token = readFileSync(join(directory, 'admin.token'), 'utf8').trim();
    const generated = await fetch(`${base}/request/generatekey`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(generated.status, 200);
    const count = await keysInStats();
    assert.equal(count, 2);
    const text = await metricsText();
    assert.equal(sample(text, 'cocoon_key_manager_valid_keys'), count);
    assert.equal(sample(text, 'cocoon_key_manager_key_publications_total', { result: 'success' }), 2, 'the new key was sent too');
  });

  test('metrics_require_token: /metrics is 401 without the admin token, 200 with it', async () => {
    const handle = await startKeyManagerRunner(keyManagerConfigSchema.parse(configFor({
      root_contract_address: '', check_hashes: false, metrics_require_token: true, db_path: join(directory, 'db-off-chain'),
      machine_key_file: join(directory, 'off-chain.key'), admin_token_file: join(directory, 'off-chain.token'),
    })), { logger: jsonLogger, random });
    try {
      const url = `${handle.readyInfo.stats_url as string}/metrics`;
      assert.equal((await fetch(url)).status, 401);
      assert.equal((await fetch(url, { headers: { authorization: `Bearer ${'00'.repeat(32)}` } })).status, 401);
      const token = readFileSync(join(directory, 'off-chain.token'), 'utf8').trim();
      const allowed = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(allowed.status, 200);
      const text = await allowed.text();
      assert.equal(sample(text, 'cocoon_key_manager_valid_keys'), 1);
      assert.equal(sample(text, 'cocoon_chain_root_sync_age_seconds'), undefined, 'off chain: no chain lag gauge');
      assert.equal((await fetch(`${handle.readyInfo.stats_url as string}/jsonstats`)).status, 200, 'the stats pages are unaffected');
    } finally {
      await handle.close();
    }
  });

  test('its JSON log lines parse, one object per line, and never carry a private key', () => {
    assert.ok(logLines.length > 5, `${logLines.length} log lines`);
    assert.ok(minted.length >= 3 && served.length >= 1, 'keys were minted and served');
    const keys = [...minted, ...served];
    for (const line of logLines) {
      assert.ok(!line.includes('\n'), 'one line per event');
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.equal(typeof entry.time, 'string');
      assert.ok(['debug', 'info', 'warn', 'error'].includes(entry.level as string));
      assert.match(String(entry.role), /^key-manager(\/|$)/);
      assert.equal(typeof entry.msg, 'string');
      for (const key of keys) {
        assert.ok(!line.toLowerCase().includes(key.toString('hex')) && !line.includes(key.toString('base64')), `a private key in the log line ${line.slice(0, 120)}`);
      }
    }
    const messages = logLines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    for (const expected of ['new key minted', 'private keys served', 'private key request refused', 'key manager ready']) {
      assert.ok(messages.includes(expected), `logged "${expected}"`);
    }
  });
});
