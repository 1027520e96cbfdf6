// Tests of asynchronous peer verification in the secure transport: no application byte passes
// before the verifier resolves, and a connection closed meanwhile is reported exactly once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { CocoonError } from '@cocoon/protocol';
import { AnyPolicyVerifier, dialSecure, type PeerAttestation, type PeerCertificateInput, type PeerVerifier, type SelfSignedCertificate } from '../../src/index.ts';
import { VERIFY_TIME, plainCertificate } from '../support/test-certificates.ts';
import { startRecordingServer, type RecordingServer } from '../support/transport-harness.ts';

const now = (): Date => VERIFY_TIME;
const isCode = (code: string) => (error: unknown) => error instanceof CocoonError && error.code === code;
/** The next macrotask: every microtask queued before it (a verifier answering without I/O and its handlers) has run. */
const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** An `any` verifier that holds every verification until `release()` (or fails it with `failWith`). */
class GatedVerifier implements PeerVerifier {
  readonly policy = 'any';
  calls = 0;
  private readonly inner = new AnyPolicyVerifier();
  private waiting: Array<() => void> = [];
  private callWaiters: Array<() => void> = [];
  failWith: CocoonError | undefined;

  async verify(peer: PeerCertificateInput, time: Date): Promise<PeerAttestation> {
    this.calls++;
    for (const waiter of this.callWaiters.splice(0)) waiter();
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.failWith) throw this.failWith;
    return this.inner.verify(peer, time);
  }

  release(): void {
    const current = this.waiting;
    this.waiting = [];
    for (const resolve of current) resolve();
  }

  async waitForCall(count: number): Promise<void> {
    while (this.calls < count) await new Promise<void>((resolve) => this.callWaiters.push(resolve));
  }
}

let identity: SelfSignedCertificate;
before(async () => {
  identity = await plainCertificate();
});

describe('server-side asynchronous verification', () => {
  const gate = new GatedVerifier();
  let harness: RecordingServer;
  before(async () => {
    harness = await startRecordingServer({ identity, verifier: gate, powDifficulty: 1 });
  });
  after(() => {
    gate.release();
    return harness.server.close();
  });

  test('bytes sent before the verifier resolves reach the application only after it resolves', async () => {
    const { socket } = await dialSecure({ host: '127.0.0.1', port: harness.server.port, identity, verifier: new AnyPolicyVerifier(), now });
    await new Promise<void>((resolve, reject) => socket.write('early', (error) => (error ? reject(error) : resolve())));
    await gate.waitForCall(1);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await nextMacrotask();
    assert.equal(harness.accepted.length, 0, 'no connection is handed out while verification is pending');
    assert.equal(received.length, 0, 'nothing was echoed: the server application saw no byte yet');
    gate.release();
    await harness.nextConnection();
    while (received.length === 0) await once(socket, 'data');
    assert.equal(Buffer.concat(received).toString(), 'early');
    socket.destroy();
  });

  test('a peer that disconnects during verification is rejected once, and the late result is ignored', async () => {
    const rejectedBefore = harness.rejected.length;
    const callsBefore = gate.calls;
    const { socket } = await dialSecure({ host: '127.0.0.1', port: harness.server.port, identity, verifier: new AnyPolicyVerifier(), now });
    await gate.waitForCall(callsBefore + 1);
    socket.destroy();
    const rejection = await harness.nextRejection();
    assert.ok(isCode('CCN_ERR_SESSION_CLOSED')(rejection), `${rejection.code}: ${rejection.message}`);
    const acceptedBefore = harness.accepted.length;
    gate.release();
    await nextMacrotask();
    assert.equal(harness.rejected.length, rejectedBefore + 1);
    assert.equal(harness.accepted.length, acceptedBefore);
  });

  test('an asynchronous rejection keeps its error code', async () => {
    gate.failWith = new CocoonError('CCN_ERR_ATTEST_TCB_STATUS', 'TCB status OutOfDate not allowed');
    const callsBefore = gate.calls;
    const { socket } = await dialSecure({ host: '127.0.0.1', port: harness.server.port, identity, verifier: new AnyPolicyVerifier(), now });
    socket.on('error', () => undefined);
    await gate.waitForCall(callsBefore + 1);
    gate.release();
    assert.ok(isCode('CCN_ERR_ATTEST_TCB_STATUS')(await harness.nextRejection()));
    gate.failWith = undefined;
    socket.destroy();
  });
});

describe('client-side asynchronous verification', () => {
  test('the server closing during the client verification rejects the dial once with SESSION_CLOSED', async () => {
    const harness = await startRecordingServer({ identity, verifier: new AnyPolicyVerifier(), powDifficulty: 1 });
    const gate = new GatedVerifier();
    try {
      const dial = dialSecure({ host: '127.0.0.1', port: harness.server.port, identity, verifier: gate, now });
      const accepted = await harness.nextConnection();
      await gate.waitForCall(1);
      accepted.socket.destroy();
      await assert.rejects(dial, isCode('CCN_ERR_SESSION_CLOSED'));
      gate.release();
      await nextMacrotask();
      assert.equal(harness.accepted.length, 1, 'only the one connection the server accepted');
    } finally {
      gate.release();
      await harness.server.close();
    }
  });
});
