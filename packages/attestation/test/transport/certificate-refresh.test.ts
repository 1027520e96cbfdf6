// RA-TLS certificate lifecycle (§7.2): dated by the injected (chain) clock, 24 h validity, refreshed
// with a new key and quote; a refresh applies to new connections without dropping existing ones.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type tls from 'node:tls';
import {
  DevAttestationAuthority,
  FakeTdxPolicyVerifier,
  FakeTdxProvider,
  RefreshingCertificate,
  SimulatedTdxProvider,
  createAttestationVerifier,
  dialSecure,
  findExtension,
  readCertificate,
  simulatedMeasurements,
  CertificateOid,
} from '../../src/index.ts';
import { VERIFY_TIME } from '../support/test-certificates.ts';
import { startRecordingServer, type RecordingServer } from '../support/transport-harness.ts';

const CHAIN_TIME = new Date('2026-01-01T00:30:00Z');
const now = (): Date => VERIFY_TIME;

async function echo(socket: tls.TLSSocket, text: string): Promise<string> {
  socket.write(text);
  const [data] = (await once(socket, 'data')) as [Buffer];
  return data.toString();
}

describe('RefreshingCertificate', () => {
  test('dated by the injected clock, valid 24 h, a new key and quote on each refresh, listeners notified', async () => {
    let chainTime = CHAIN_TIME;
    const authority = await DevAttestationAuthority.generate({ now: new Date('2025-12-01T00:00:00Z') });
    const provider = new SimulatedTdxProvider({ authority, measurements: simulatedMeasurements(Buffer.alloc(32, 1), {}) });
    const certificate = await RefreshingCertificate.create({ provider, now: async () => chainTime });
    const quoteOf = (der: Buffer): Buffer => findExtension(readCertificate(der), CertificateOid.tdxQuote)!.value;
    const first = readCertificate(certificate.current().certificateDer);
    const firstQuote = quoteOf(certificate.current().certificateDer);
    assert.equal(first.notBefore.toISOString(), CHAIN_TIME.toISOString());
    assert.equal(first.notAfter.getTime() - first.notBefore.getTime(), 86_400_000);
    const seen: number[] = [];
    const unsubscribe = certificate.onRefresh((_, generation) => seen.push(generation));
    chainTime = new Date(CHAIN_TIME.getTime() + 3_600_000);
    const [second, same] = await Promise.all([certificate.refresh(), certificate.refresh()]);
    assert.equal(second, same); // concurrent refreshes share one generation
    assert.equal(certificate.generation, 2);
    assert.deepEqual(seen, [2]);
    const parsed = readCertificate(second.certificateDer);
    assert.equal(parsed.notBefore.toISOString(), chainTime.toISOString());
    assert.notDeepEqual(parsed.publicKey, first.publicKey);
    assert.notDeepEqual(quoteOf(second.certificateDer), firstQuote);
    const verifier = createAttestationVerifier({ policy: 'tdx', trust: { devAuthority: authority }, networkIsTest: true, logger: { warn: () => undefined } });
    const peer = await verifier.verify({ certificateDer: second.certificateDer }, new Date(chainTime.getTime() + 60_000));
    assert.deepEqual(peer.publicKey, parsed.publicKey);
    unsubscribe();
    await certificate.refresh();
    assert.deepEqual(seen, [2]);
  });

  // start()/stop() timing is tested with mock timers in test/certificate/refreshing-certificate.test.ts.

  test('a bad refresh interval is a config error', async () => {
    await assert.rejects(RefreshingCertificate.create({ provider: new FakeTdxProvider(), now: () => CHAIN_TIME, refreshIntervalMs: 0 }), { code: 'CCN_ERR_CONFIG_INVALID' });
  });
});

describe('secure transport with a refreshing certificate', () => {
  let serverCertificate: RefreshingCertificate;
  let clientCertificate: RefreshingCertificate;
  let harness: RecordingServer;
  before(async () => {
    serverCertificate = await RefreshingCertificate.create({ provider: new FakeTdxProvider(), now: () => CHAIN_TIME });
    clientCertificate = await RefreshingCertificate.create({ provider: new FakeTdxProvider(), now: () => CHAIN_TIME });
    harness = await startRecordingServer({ identity: serverCertificate, verifier: new FakeTdxPolicyVerifier(), powDifficulty: 4 });
  });
  after(() => harness.server.close());

  const dial = () => dialSecure({ host: '127.0.0.1', port: harness.server.port, identity: clientCertificate, verifier: new FakeTdxPolicyVerifier(), now });

  test('after a refresh, the existing connection keeps working and a new one presents the new certificates', async () => {
    const oldServerKey = serverCertificate.current().publicKey;
    const oldClientKey = clientCertificate.current().publicKey;
    const first = await dial();
    assert.deepEqual(first.peer.publicKey, oldServerKey);
    assert.deepEqual((await harness.nextConnection()).peer.publicKey, oldClientKey);
    assert.equal(await echo(first.socket, 'before'), 'before');

    await Promise.all([serverCertificate.refresh(), clientCertificate.refresh()]);
    assert.notDeepEqual(serverCertificate.current().publicKey, oldServerKey);

    assert.equal(await echo(first.socket, 'after refresh'), 'after refresh');
    const second = await dial();
    assert.deepEqual(second.peer.publicKey, serverCertificate.current().publicKey);
    assert.deepEqual((await harness.nextConnection()).peer.publicKey, clientCertificate.current().publicKey);
    assert.equal(await echo(second.socket, 'new'), 'new');
    assert.equal(await echo(first.socket, 'still'), 'still');
    first.socket.destroy();
    second.socket.destroy();
  });
});
