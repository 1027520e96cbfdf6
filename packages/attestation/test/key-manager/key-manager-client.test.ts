/**
 * KeyManagerClient's polling cadence on fake timers and randomness: 5–10 s while it has no keys
 * (also while the root names no key manager), then 60–120 s for a worker and 5–10 s for a proxy
 * (as the reference); an answer replaces the key ring (expired keys dropped); close stops polling.
 * The key manager here is a small attested test listener answering keyManager.* queries.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CocoonSession, createLogger, type TlObject } from '@cocoon/protocol';
import { KeyManagerClient, RunnerAttestation, computeImageHash, listenSecure, zeroMeasurements, type KeyManagerClientTimers, type SecureServer } from '../../src/index.ts';

const silent = createLogger('test', { write: () => undefined });
const NOW = 1_800_000_000;

class FakeTimers implements KeyManagerClientTimers {
  readonly scheduled: Array<{ ms: number; callback: () => void; cancelled: boolean }> = [];
  setTimeout(callback: () => void, ms: number): unknown {
    const entry = { ms, callback, cancelled: false };
    this.scheduled.push(entry);
    return entry;
  }
  clearTimeout(handle: unknown): void {
    (handle as { cancelled: boolean }).cancelled = true;
  }
  /** Runs the newest pending timer and waits for the poll it starts to schedule the next one. */
  async fire(): Promise<void> {
    const entry = this.scheduled.at(-1)!;
    const count = this.scheduled.length;
    entry.callback();
    const deadline = Date.now() + 10_000;
    while (this.scheduled.length === count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  get delays(): number[] {
    return this.scheduled.map((entry) => entry.ms);
  }
}

describe('key manager client', () => {
  let directory: string;
  let attestation: RunnerAttestation;
  let server: SecureServer;
  const queries: TlObject[] = [];

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-km-client-'));
    attestation = await RunnerAttestation.open({
      role: 'proxy', tee: 'fake_tdx', devAuthorityDir: '', pccsUrl: 'https://127.0.0.1:1', collateralDir: join(directory, 'collateral'), logger: silent, now: () => new Date(),
    });
    server = await listenSecure({
      host: '127.0.0.1', port: 0, identity: attestation.certificate, powDifficulty: 1, verifier: attestation.verifier({ policy: 'fake_tdx', networkIsTest: true }),
      onConnection: (socket) => {
        const session = new CocoonSession(socket, { role: 'listener' });
        session.on('query', (query, reply) => {
          queries.push(query);
          reply.answer({
            _: 'keyManager.privateKeys',
            keys: [
              { _: 'keyManager.privateKey', valid_until_utime: NOW + 100, private_key: Buffer.alloc(32, 1) },
              { _: 'keyManager.privateKey', valid_until_utime: NOW - 1, private_key: Buffer.alloc(32, 2) },
            ],
          });
        });
        session.open().catch(() => undefined);
      },
    });
  });

  after(async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const clientFor = (role: 'proxy' | 'worker', timers: FakeTimers, location: () => { address: string; imageHash: string } | undefined) => {
    const replaced: Array<ReadonlyArray<{ privateKey: Uint8Array; validUntilUtime: number }>> = [];
    const client = new KeyManagerClient({
      role, protoVersion: 0, locate: location, identity: attestation.certificate, verifier: attestation.verifier({ policy: 'fake_tdx', networkIsTest: true }),
      keyRing: { replace: (keys) => replaced.push(keys) }, logger: silent, timers, random: () => 0.5, now: () => NOW * 1000,
    });
    return { client, replaced };
  };
  const location = () => ({ address: `127.0.0.1:${server.port}`, imageHash: computeImageHash(zeroMeasurements()).toString('hex') });

  test('a worker polls every 5–10 s until it has keys, then every 60–120 s', async () => {
    const timers = new FakeTimers();
    let named = false;
    const { client, replaced } = clientFor('worker', timers, () => (named ? location() : undefined));
    client.start();
    assert.deepEqual(timers.delays, [0], 'polls at once');
    await timers.fire();
    assert.equal(client.state, 'no_key_manager');
    assert.deepEqual(timers.delays, [0, 7500]);
    named = true;
    await timers.fire();
    assert.equal(client.state, 'ready', client.lastError);
    assert.deepEqual(timers.delays, [0, 7500, 90_000]);
    assert.equal(replaced.length, 1);
    assert.deepEqual(replaced[0]!.map((key) => key.validUntilUtime), [NOW + 100], 'the expired key is not handed on');
    assert.deepEqual(queries.at(-1), { _: 'keyManager.getWorkerPrivateKeys', proto_version: 0 });
    client.close();
    assert.ok(timers.scheduled.at(-1)!.cancelled, 'close cancels the next poll');
  });

  test('a proxy keeps polling every 5–10 s, on one session', async () => {
    const timers = new FakeTimers();
    const { client, replaced } = clientFor('proxy', timers, location);
    client.start();
    await timers.fire();
    await timers.fire();
    assert.deepEqual(timers.delays, [0, 7500, 7500]);
    assert.equal(replaced.length, 2);
    assert.deepEqual(queries.at(-1), { _: 'keyManager.getProxyPrivateKeys', proto_version: 0 });
    client.close();
  });

  test('the delay spans the whole range with the randomness', () => {
    const timers = new FakeTimers();
    const low = new KeyManagerClient({
      role: 'worker', protoVersion: 0, locate: () => undefined, identity: attestation.certificate, verifier: attestation.verifier({ policy: 'any', networkIsTest: true }),
      keyRing: { replace: () => undefined }, logger: silent, timers, random: () => 0,
    });
    assert.equal(low.nextDelayMs(), 5000);
    low.lastSuccessAt = NOW;
    assert.equal(low.nextDelayMs(), 60_000);
  });

  test('a key manager at a malformed address is a clear error, not a crash', async () => {
    const timers = new FakeTimers();
    const { client } = clientFor('proxy', timers, () => ({ address: 'no-port', imageHash: '00'.repeat(32) }));
    await client.poll();
    assert.equal(client.state, 'failing');
    assert.match(client.lastError ?? '', /must be host:port/);
  });
});
