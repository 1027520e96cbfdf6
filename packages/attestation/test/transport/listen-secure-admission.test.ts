// listenSecure's admission hook over real sockets: a refused connection is closed at accept
// (before the PoW challenge) and reported; an admitted one is handed to onConnection and
// released when its handshake fails or its socket closes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import type tls from 'node:tls';
import { encodePowResponse, verifyPow, type CocoonError } from '@cocoon/protocol';
import {
  AnyPolicyVerifier,
  FakeTdxPolicyVerifier,
  dialSecure,
  listenSecure,
  type AdmittedConnection,
  type SecureServer,
  type SelfSignedCertificate,
} from '../../src/index.ts';
import { VERIFY_TIME, fakeTdxCertificate, plainCertificate } from '../support/test-certificates.ts';
import { connectRaw, waitForClose } from '../support/transport-harness.ts';

class CountingAdmission {
  admitted: Array<AdmittedConnection & { released: number; address: string }> = [];
  refuse = false;
  admit(socket: net.Socket) {
    if (this.refuse) return undefined;
    const entry = { released: 0, address: socket.remoteAddress ?? '', release() { entry.released += 1; } };
    this.admitted.push(entry);
    return entry;
  }
}

let server: SecureServer;
let plain: SelfSignedCertificate;
const admission = new CountingAdmission();
const rejected: CocoonError[] = [];
const connected: Array<{ socket: tls.TLSSocket; admitted: AdmittedConnection | undefined }> = [];
const now = (): Date => VERIFY_TIME;

before(async () => {
  plain = await plainCertificate();
  server = await listenSecure({
    host: '127.0.0.1', port: 0, identity: await fakeTdxCertificate(), verifier: new AnyPolicyVerifier(), powDifficulty: 4, now,
    handshakeTimeoutMs: 5000, admission,
    onConnection: (socket, _peer, admitted) => {
      socket.on('error', () => undefined);
      connected.push({ socket, admitted });
    },
    onRejected: (error) => rejected.push(error),
  });
});
after(() => server.close());

test('a refused connection is closed at accept, before any PoW challenge, and reported', async () => {
  admission.refuse = true;
  try {
    const socket = net.connect({ host: '127.0.0.1', port: server.port });
    socket.on('error', () => undefined);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await once(socket, 'close');
    assert.deepEqual(received, [], 'no challenge was sent');
    assert.equal(rejected.at(-1)?.code, 'CCN_ERR_SESSION_TOO_MANY_UNAUTHENTICATED');
    assert.equal(admission.admitted.length, 0);
  } finally {
    admission.refuse = false;
  }
});

test('an admitted connection reaches onConnection with its admission and is released when it closes', async () => {
  const before = admission.admitted.length;
  const { socket } = await dialSecure({ host: '127.0.0.1', port: server.port, identity: plain, verifier: new FakeTdxPolicyVerifier(), now });
  const entry = admission.admitted[before]!;
  assert.equal(entry.address, '127.0.0.1');
  for (let waited = 0; connected.length === 0 && waited < 100; waited += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(connected.at(-1)?.admitted, entry);
  assert.equal(entry.released, 0, 'still counted while connected');
  const serverSide = connected.at(-1)!.socket;
  socket.destroy();
  if (!serverSide.destroyed) await once(serverSide, 'close');
  assert.ok(entry.released >= 1, 'released once the connection closed');
});

test('an admitted connection whose PoW fails is released', async () => {
  const before = admission.admitted.length;
  const { socket, challenge } = await connectRaw(server.port);
  let nonce = 0n;
  while (verifyPow(challenge, nonce)) nonce++;
  socket.write(encodePowResponse(nonce));
  await waitForClose(socket);
  const entry = admission.admitted[before]!;
  for (let waited = 0; entry.released === 0 && waited < 100; waited += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(entry.released >= 1);
  assert.equal(rejected.at(-1)?.code, 'CCN_ERR_PROTOCOL_BAD_POW');
});
