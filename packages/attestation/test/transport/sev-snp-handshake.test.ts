// RA-TLS end to end over real sockets (TCP → PoW → mutual TLS 1.3 → verified peer) between runner
// attestations: a simulated SEV-SNP worker with a simulated SEV-SNP proxy, and mixed pairs (TDX
// proxy ↔ SEV-SNP worker), each side checking the other's image hash against the root lists.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@cocoon/protocol';
import {
  allowedHashes, DevAttestationAuthority, dialSecure, listenSecure, measureSimulatedRunner, measureSimulatedSevSnpRunner, RootHashPolicy, RunnerAttestation,
  type PeerAttestation, type RunnerAttestationOptions, type SecureServer,
} from '../../src/index.ts';

const NOW = new Date('2026-11-22T00:00:00Z');
const now = (): Date => NOW;

describe('SEV-SNP RA-TLS handshakes between runners', () => {
  let directory: string;
  let hashes: RootHashPolicy;
  const servers: SecureServer[] = [];
  const open = (role: 'proxy' | 'worker', tee: RunnerAttestationOptions['tee']): Promise<RunnerAttestation> => RunnerAttestation.open({
    role, tee, devAuthorityDir: join(directory, 'authority'), pccsUrl: 'https://pccs.invalid', collateralDir: join(directory, 'collateral'),
    now, logger: createLogger('test', { write: () => undefined }),
  });

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-sev-handshake-'));
    await (await DevAttestationAuthority.generate({ now: new Date('2026-11-01T00:00:00Z') })).save(join(directory, 'authority'));
    const [proxyTdx, workerTdx, proxySev, workerSev] = await Promise.all([
      measureSimulatedRunner('proxy'), measureSimulatedRunner('worker'), measureSimulatedSevSnpRunner('proxy'), measureSimulatedSevSnpRunner('worker'),
    ]);
    hashes = RootHashPolicy.fixed(allowedHashes({ proxyHashes: [proxyTdx.imageHash, proxySev.imageHash], workerHashes: [workerTdx.imageHash, workerSev.imageHash] }));
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
    rmSync(directory, { recursive: true, force: true });
  });

  /** The proxy listens (verifying workers), the worker dials (verifying the proxy); returns what each saw. */
  async function handshake(proxy: RunnerAttestation, worker: RunnerAttestation): Promise<{ proxySaw: PeerAttestation; workerSaw: PeerAttestation }> {
    let resolveAccepted: (peer: PeerAttestation) => void = () => undefined;
    const accepted = new Promise<PeerAttestation>((resolve) => (resolveAccepted = resolve));
    const server = await listenSecure({
      host: '127.0.0.1', port: 0, identity: proxy.certificate, powDifficulty: 4, now,
      verifier: proxy.verifier({ policy: 'tdx', expectedRole: 'worker', hashes, networkIsTest: true }),
      onConnection: (socket, peer) => {
        socket.on('error', () => undefined);
        resolveAccepted(peer);
      },
    });
    servers.push(server);
    const connection = await dialSecure({
      host: '127.0.0.1', port: server.port, identity: worker.certificate, now,
      verifier: worker.verifier({ policy: 'tdx', expectedRole: 'proxy', hashes, networkIsTest: true }),
    });
    const proxySaw = await accepted;
    connection.socket.destroy();
    return { proxySaw, workerSaw: connection.peer };
  }

  test('simulated SEV-SNP worker ↔ simulated SEV-SNP proxy: both verified, image hashes on the root lists', async () => {
    const [proxy, worker] = await Promise.all([open('proxy', 'simulated-sev-snp'), open('worker', 'simulated-sev-snp')]);
    const { proxySaw, workerSaw } = await handshake(proxy, worker);
    assert.equal(proxySaw.tee, 'sev-snp');
    assert.deepEqual(proxySaw.imageHash, worker.imageHash);
    assert.deepEqual(proxySaw.publicKey, worker.certificate.current().publicKey);
    assert.equal(workerSaw.tee, 'sev-snp');
    assert.deepEqual(workerSaw.imageHash, proxy.imageHash);
    assert.equal(workerSaw.sevSnp?.trust, 'dev');
  });

  test('mixed: a simulated TDX proxy and a simulated SEV-SNP worker verify each other', async () => {
    const [proxy, worker] = await Promise.all([open('proxy', 'simulated'), open('worker', 'simulated-sev-snp')]);
    const { proxySaw, workerSaw } = await handshake(proxy, worker);
    assert.equal(proxySaw.tee, 'sev-snp');
    assert.deepEqual(proxySaw.imageHash, worker.imageHash);
    assert.equal(workerSaw.tee, undefined);
    assert.equal(workerSaw.tcbStatus, 'UpToDate');
    assert.deepEqual(workerSaw.imageHash, proxy.imageHash);
  });

  test("an SEV-SNP worker whose image is not on the root's worker list is refused by the proxy", async () => {
    const [proxy, worker] = await Promise.all([open('proxy', 'simulated-sev-snp'), open('worker', 'simulated-sev-snp')]);
    const verifier = proxy.verifier({ policy: 'tdx', expectedRole: 'worker', hashes: RootHashPolicy.fixed(allowedHashes({ workerHashes: [] })), networkIsTest: true });
    await assert.rejects(verifier.verify({ certificateDer: worker.certificate.current().certificateDer }, NOW), /worker_hashes/);
  });
});
