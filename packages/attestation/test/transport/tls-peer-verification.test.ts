// verifyPeerAfterHandshake on real TLS 1.3 sockets over loopback: the injected clock reaches the
// verifier, exactly one of onVerified / onFailure is called, failures carry the right code (TLS
// error, peer gone, verifier refusal), and a socket closed during verification is never handed out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { CocoonError } from '@cocoon/protocol';
import { AnyPolicyVerifier, secureContextFor, type PeerAttestation, type PeerVerifier, type SelfSignedCertificate } from '../../src/index.ts';
import { verifyPeerAfterHandshake, type PeerVerificationOptions } from '../../src/transport/tls-peer-verification.ts';
import { VERIFY_TIME, plainCertificate } from '../support/test-certificates.ts';

type Side = Pick<PeerVerificationOptions, 'verifier'> & Partial<Pick<PeerVerificationOptions, 'now' | 'onVerified'>>;

interface Outcome {
  verified: PeerAttestation[];
  failures: CocoonError[];
  /** Resolves at the first outcome. */
  settled: Promise<void>;
}

function recorder(): { outcome: Outcome; options: (side: Side, readyEvent: 'secure' | 'secureConnect', peerName: string) => PeerVerificationOptions } {
  let settle: () => void = () => undefined;
  const outcome: Outcome = { verified: [], failures: [], settled: new Promise<void>((resolve) => (settle = resolve)) };
  return {
    outcome,
    options: (side, readyEvent, peerName) => ({
      readyEvent, peerName, verifier: side.verifier, now: side.now ?? (() => VERIFY_TIME),
      onFailure: (error) => (outcome.failures.push(error), settle()),
      onVerified: (peer) => {
        outcome.verified.push(peer);
        settle();
        side.onVerified?.(peer);
      },
    }),
  };
}

/** A verifier held until release(), then answering like `any`. */
class HeldVerifier implements PeerVerifier {
  readonly policy = 'held';
  calls = 0;
  private release_: () => void = () => undefined;
  private readonly called: Promise<void>;
  private markCalled: () => void = () => undefined;
  constructor() {
    this.called = new Promise((resolve) => (this.markCalled = resolve));
  }
  async verify(peer: { certificateDer: Buffer | undefined }, now: Date): Promise<PeerAttestation> {
    this.calls++;
    this.markCalled();
    await new Promise<void>((resolve) => (this.release_ = resolve));
    return new AnyPolicyVerifier().verify(peer, now);
  }
  whenCalled(): Promise<void> {
    return this.called;
  }
  release(): void {
    this.release_();
  }
}

describe('verifyPeerAfterHandshake', () => {
  let identity: SelfSignedCertificate;
  let server: net.Server;
  let port: number;
  let onServerSocket: (socket: net.Socket) => void = () => undefined;

  before(async () => {
    identity = await plainCertificate();
    server = net.createServer((socket) => onServerSocket(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Opens one TLS connection; each side runs verifyPeerAfterHandshake with its own verifier. */
  function connect(serverSide: Side, clientSide: Side): { server: Outcome; client: Outcome; sockets: Promise<{ server: tls.TLSSocket; client: tls.TLSSocket }> } {
    const serverRecorder = recorder();
    const clientRecorder = recorder();
    const sockets = new Promise<{ server: tls.TLSSocket; client: tls.TLSSocket }>((resolve) => {
      let accepted: tls.TLSSocket | undefined;
      let clientReady = false;
      const done = (): void => { if (clientReady && accepted) resolve({ server: accepted, client }); };
      onServerSocket = (raw) => {
        raw.on('error', () => undefined);
        accepted = new tls.TLSSocket(raw, { isServer: true, secureContext: secureContextFor(identity), requestCert: true, rejectUnauthorized: false });
        verifyPeerAfterHandshake(accepted, serverRecorder.options(serverSide, 'secure', 'client'));
        done();
      };
      const client = tls.connect({ host: '127.0.0.1', port, secureContext: secureContextFor(identity), rejectUnauthorized: false, checkServerIdentity: () => undefined });
      verifyPeerAfterHandshake(client, clientRecorder.options(clientSide, 'secureConnect', 'server'));
      clientReady = true;
      done();
    });
    return { server: serverRecorder.outcome, client: clientRecorder.outcome, sockets };
  }

  test('both sides verify the other\'s certificate at the injected time, once', async () => {
    const times: Date[] = [];
    const recordingAny: PeerVerifier = { policy: 'any', verify: (peer, now) => (times.push(now), new AnyPolicyVerifier().verify(peer, now)) };
    const pinned = new Date(VERIFY_TIME.getTime() + 1234);
    const { server: serverOutcome, client: clientOutcome, sockets } = connect({ verifier: recordingAny, now: () => pinned }, { verifier: recordingAny, now: () => pinned });
    await Promise.all([serverOutcome.settled, clientOutcome.settled]);
    assert.deepEqual(times, [pinned, pinned]);
    assert.deepEqual(serverOutcome.verified[0]?.publicKey, identity.publicKey);
    assert.deepEqual(clientOutcome.verified[0]?.publicKey, identity.publicKey);
    assert.deepEqual([serverOutcome.failures, clientOutcome.failures], [[], []]);
    const { server: accepted, client } = await sockets;
    client.write('after verification');
    const [data] = (await new Promise<[Buffer]>((resolve) => accepted.once('data', (chunk: Buffer) => resolve([chunk]))));
    assert.equal(data.toString(), 'after verification');
    client.destroy();
  });

  test('a refusal keeps a CocoonError\'s code and maps any other error to BAD_CERTIFICATE', async () => {
    for (const [thrown, code] of [[new CocoonError('CCN_ERR_ATTEST_TCB_STATUS', 'OutOfDate'), 'CCN_ERR_ATTEST_TCB_STATUS'], [new Error('odd'), 'CCN_ERR_ATTEST_BAD_CERTIFICATE']] as const) {
      const refusing: PeerVerifier = { policy: 'refusing', verify: async () => { throw thrown; } };
      const { server: serverOutcome, sockets } = connect({ verifier: refusing }, { verifier: new AnyPolicyVerifier() });
      await serverOutcome.settled;
      assert.equal(serverOutcome.failures.length, 1);
      assert.equal(serverOutcome.failures[0]?.code, code);
      assert.equal(serverOutcome.failures[0]?.message, thrown.message);
      assert.deepEqual(serverOutcome.verified, []);
      (await sockets).client.destroy();
    }
  });

  test('a peer that is not speaking TLS fails the handshake as a protocol violation', async () => {
    const outcome = recorder();
    const accepted = new Promise<void>((resolve) => {
      onServerSocket = (raw) => {
        raw.on('error', () => undefined);
        const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: secureContextFor(identity), requestCert: true, rejectUnauthorized: false });
        verifyPeerAfterHandshake(secure, outcome.options({ verifier: new AnyPolicyVerifier() }, 'secure', 'client 1'));
        resolve();
      };
    });
    const plain = net.connect(port, '127.0.0.1');
    plain.on('error', () => undefined);
    await accepted;
    plain.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await outcome.outcome.settled;
    assert.equal(outcome.outcome.failures[0]?.code, 'CCN_ERR_PROTOCOL_VIOLATION');
    assert.match(outcome.outcome.failures[0]!.message, /^TLS connection with client 1 failed during the TLS handshake: /);
    plain.destroy();
  });

  test('a peer that closes before the handshake completes is SESSION_CLOSED during the TLS handshake', async () => {
    const outcome = recorder();
    const accepted = new Promise<void>((resolve) => {
      onServerSocket = (raw) => {
        raw.on('error', () => undefined);
        const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: secureContextFor(identity), requestCert: true, rejectUnauthorized: false });
        verifyPeerAfterHandshake(secure, outcome.options({ verifier: new AnyPolicyVerifier() }, 'secure', 'client 2'));
        resolve();
      };
    });
    const plain = net.connect(port, '127.0.0.1');
    plain.on('error', () => undefined);
    await accepted;
    plain.end();
    await outcome.outcome.settled;
    assert.equal(outcome.outcome.failures.length, 1);
    assert.equal(outcome.outcome.failures[0]?.code, 'CCN_ERR_SESSION_CLOSED');
    assert.match(outcome.outcome.failures[0]!.message, /client 2 (closed during|failed during) the TLS handshake/);
  });

  test('a connection closed during verification fails once and the late success is ignored', async () => {
    const held = new HeldVerifier();
    const { server: serverOutcome, client: clientOutcome, sockets } = connect({ verifier: held }, { verifier: new AnyPolicyVerifier() });
    await held.whenCalled();
    await clientOutcome.settled;
    (await sockets).client.destroy();
    await serverOutcome.settled;
    assert.equal(serverOutcome.failures[0]?.code, 'CCN_ERR_SESSION_CLOSED');
    assert.match(serverOutcome.failures[0]!.message, /closed during peer verification/);
    held.release();
    // The held verifier answers without I/O: its result and our handlers run as microtasks, all
    // done before the next macrotask.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([serverOutcome.failures.length, serverOutcome.verified.length], [1, 0]);
  });

  test('an onVerified that throws destroys the socket instead of handing it out', async () => {
    const { server: serverOutcome, sockets } = connect(
      { verifier: new AnyPolicyVerifier(), onVerified: () => { throw new Error('application refused the connection'); } },
      { verifier: new AnyPolicyVerifier() },
    );
    await serverOutcome.settled;
    const { server: accepted, client } = await sockets;
    if (!accepted.destroyed) await new Promise((resolve) => accepted.once('close', resolve));
    assert.equal(accepted.destroyed, true);
    assert.deepEqual(serverOutcome.failures, []);
    client.destroy();
  });

  test('after hand-over an error is absorbed until the application attaches its own listener', async () => {
    const { server: serverOutcome, sockets } = connect({ verifier: new AnyPolicyVerifier() }, { verifier: new AnyPolicyVerifier() });
    await serverOutcome.settled;
    const { server: accepted, client } = await sockets;
    const before = accepted.listenerCount('error');
    assert.ok(before >= 1, 'the handshake listener still guards the socket');
    accepted.emit('error', new Error('late reset')); // would crash the process without a listener
    assert.deepEqual(serverOutcome.failures, [], 'already settled: nothing more is reported');
    const seen: Error[] = [];
    accepted.on('error', (error) => seen.push(error));
    assert.equal(accepted.listenerCount('error'), before, 'ours was removed when the application added one');
    accepted.emit('error', new Error('second'));
    assert.deepEqual(seen.map((error) => error.message), ['second']);
    client.destroy();
    accepted.destroy();
  });
});
