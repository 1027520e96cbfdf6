// Tests of the secure transport over real sockets: TCP → PoW → mutual TLS 1.3 → verified peer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { CocoonError, encodePowResponse, solvePow, verifyPow } from '@cocoon/protocol';
import { AnyPolicyVerifier, FakeTdxPolicyVerifier, dialSecure, type SelfSignedCertificate } from '../../src/index.ts';
import {
  FAKE_TDX_IMAGE_HASH,
  VERIFY_TIME,
  ecdsaCertificate,
  fakeTdxCertificate,
  plainCertificate,
  unknownCriticalExtensionCertificate,
} from '../support/test-certificates.ts';
import { connectRaw, startRecordingServer, waitForClose, type RecordingServer } from '../support/transport-harness.ts';

const DIFFICULTY = 6;
const now = (): Date => VERIFY_TIME;
const isCode = (code: string, pattern?: RegExp) => (error: unknown) =>
  error instanceof CocoonError && error.code === code && (!pattern || pattern.test(error.message));

async function echo(socket: tls.TLSSocket, text: string): Promise<string> {
  socket.write(text);
  const [data] = (await once(socket, 'data')) as [Buffer];
  return data.toString();
}

let plain: SelfSignedCertificate;
let fakeTdx: SelfSignedCertificate;
before(async () => {
  [plain, fakeTdx] = await Promise.all([plainCertificate(), fakeTdxCertificate()]);
});

describe('any-policy server (client port)', () => {
  let harness: RecordingServer;
  before(async () => {
    harness = await startRecordingServer({ identity: fakeTdx, verifier: new AnyPolicyVerifier(), powDifficulty: DIFFICULTY, handshakeTimeoutMs: 300 });
  });
  after(() => harness.server.close());

  test('a plain client connects; each side sees the other verified', async () => {
    const { socket, peer } = await dialSecure({ host: '127.0.0.1', port: harness.server.port, identity: plain, verifier: new FakeTdxPolicyVerifier(), now });
    assert.equal(peer.imageHash.toString('hex'), FAKE_TDX_IMAGE_HASH);
    assert.deepEqual(peer.publicKey, fakeTdx.publicKey);
    assert.equal(socket.getProtocol(), 'TLSv1.3');
    assert.match(socket.getCipher().standardName, /^TLS_AES_(128_GCM_SHA256|256_GCM_SHA384)$/);
    const accepted = await harness.nextConnection();
    assert.deepEqual(accepted.peer.publicKey, plain.publicKey);
    assert.deepEqual(accepted.peer.imageHash, Buffer.alloc(32));
    assert.equal(await echo(socket, 'ping'), 'ping');
    socket.destroy();
  });

  test('a wrong PoW nonce is rejected', async () => {
    const { socket, challenge } = await connectRaw(harness.server.port);
    assert.deepEqual(challenge.salt, Buffer.alloc(16, 0xab)); // injected randomness
    let nonce = 0n;
    while (verifyPow(challenge, nonce)) nonce++;
    socket.write(encodePowResponse(nonce));
    assert.ok(isCode('CCN_ERR_PROTOCOL_BAD_POW')(await harness.nextRejection()));
    await waitForClose(socket);
  });

  test('a bad response magic is rejected', async () => {
    const { socket, challenge } = await connectRaw(harness.server.port);
    const response = encodePowResponse(solvePow(challenge));
    response[0] = 0;
    socket.write(response);
    assert.ok(isCode('CCN_ERR_PROTOCOL_BAD_POW', /magic/)(await harness.nextRejection()));
    await waitForClose(socket);
  });

  test('a client without a certificate is rejected', async () => {
    const { socket, challenge } = await connectRaw(harness.server.port);
    socket.write(encodePowResponse(solvePow(challenge)));
    const client = tls.connect({ socket, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    client.on('error', () => undefined);
    assert.ok(isCode('CCN_ERR_ATTEST_NO_CERTIFICATE')(await harness.nextRejection()));
    await waitForClose(client);
  });

  test('an ECDSA client certificate is rejected', async () => {
    const { socket } = await dialSecure({ host: '127.0.0.1', port: harness.server.port, identity: await ecdsaCertificate(), verifier: new AnyPolicyVerifier(), now });
    socket.on('error', () => undefined);
    assert.ok(isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /not Ed25519/)(await harness.nextRejection()));
    await waitForClose(socket);
  });

  test('an unknown critical extension is rejected', async () => {
    const identity = await unknownCriticalExtensionCertificate();
    const { socket } = await dialSecure({ host: '127.0.0.1', port: harness.server.port, identity, verifier: new AnyPolicyVerifier(), now });
    socket.on('error', () => undefined);
    assert.ok(isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /critical extension/)(await harness.nextRejection()));
    await waitForClose(socket);
  });

  test('a silent client times out', async () => {
    const { socket } = await connectRaw(harness.server.port);
    assert.ok(isCode('CCN_ERR_TIMEOUT')(await harness.nextRejection()));
    await waitForClose(socket);
  });

  test('a client stalling inside TLS times out', async () => {
    const { socket, challenge } = await connectRaw(harness.server.port);
    socket.write(encodePowResponse(solvePow(challenge)));
    assert.ok(isCode('CCN_ERR_TIMEOUT')(await harness.nextRejection()));
    await waitForClose(socket);
  });

  test('a response split over two writes is accepted', async () => {
    const { socket, challenge } = await connectRaw(harness.server.port);
    const response = encodePowResponse(solvePow(challenge));
    socket.write(response.subarray(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write(response.subarray(5));
    const client = tls.connect({ socket, rejectUnauthorized: false, cert: plain.certificatePem, key: plain.privateKeyPem });
    await once(client, 'secureConnect');
    await harness.nextConnection();
    assert.equal(await echo(client, 'split'), 'split');
    client.destroy();
  });

  test('TLS bytes sent together with the PoW response reach the TLS layer', async () => {
    const { socket, challenge } = await connectRaw(harness.server.port);
    let prefix: Buffer | undefined = encodePowResponse(solvePow(challenge));
    socket.resume();
    // A stream that glues the PoW response to the ClientHello so both arrive in one segment.
    const carrier = new Duplex({
      read: () => undefined,
      write(chunk: Buffer, _encoding, callback) {
        const data = prefix ? Buffer.concat([prefix, chunk]) : chunk;
        prefix = undefined;
        socket.write(data, callback);
      },
    });
    socket.on('data', (data) => carrier.push(data));
    const client = tls.connect({ socket: carrier, rejectUnauthorized: false, cert: plain.certificatePem, key: plain.privateKeyPem });
    await once(client, 'secureConnect');
    await harness.nextConnection();
    assert.equal(await echo(client, 'glued'), 'glued');
    client.destroy();
    socket.destroy();
  });

  test('sessions are never resumed', async () => {
    const connectTls = async (session?: Buffer): Promise<{ client: tls.TLSSocket; ticket: Promise<Buffer | undefined> }> => {
      const { socket, challenge } = await connectRaw(harness.server.port);
      socket.write(encodePowResponse(solvePow(challenge)));
      const client = tls.connect({ socket, rejectUnauthorized: false, cert: plain.certificatePem, key: plain.privateKeyPem, session });
      const ticket = new Promise<Buffer | undefined>((resolve) => {
        client.once('session', resolve);
        client.once('close', () => resolve(undefined));
      });
      await once(client, 'secureConnect');
      await harness.nextConnection();
      return { client, ticket };
    };
    const first = await connectTls();
    assert.equal(await echo(first.client, 'one'), 'one');
    const ticket = await Promise.race([first.ticket, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50))]);
    first.client.destroy();
    const second = await connectTls(ticket);
    assert.equal(second.client.isSessionReused(), false);
    second.client.destroy();
  });

  test('the server still accepts a good client after rejections', async () => {
    assert.ok(harness.rejected.length >= 6);
    const { socket } = await dialSecure({ host: '127.0.0.1', port: harness.server.port, identity: plain, verifier: new AnyPolicyVerifier(), now });
    await harness.nextConnection();
    assert.equal(await echo(socket, 'still up'), 'still up');
    socket.destroy();
  });
});

describe('fake_tdx server (worker port)', () => {
  let harness: RecordingServer;
  before(async () => {
    harness = await startRecordingServer({ identity: fakeTdx, verifier: new FakeTdxPolicyVerifier(), powDifficulty: DIFFICULTY });
  });
  after(() => harness.server.close());

  test('a fake TDX client connects both ways verified', async () => {
    const client = await fakeTdxCertificate();
    const { socket, peer } = await dialSecure({ host: '127.0.0.1', port: harness.server.port, identity: client, verifier: new FakeTdxPolicyVerifier(), now });
    assert.equal(peer.imageHash.toString('hex'), FAKE_TDX_IMAGE_HASH);
    const accepted = await harness.nextConnection();
    assert.equal(accepted.peer.imageHash.toString('hex'), FAKE_TDX_IMAGE_HASH);
    assert.deepEqual(accepted.peer.publicKey, client.publicKey);
    assert.equal(await echo(socket, 'tdx'), 'tdx');
    socket.destroy();
  });

  test('a plain client is rejected by policy', async () => {
    const { socket } = await dialSecure({ host: '127.0.0.1', port: harness.server.port, identity: plain, verifier: new AnyPolicyVerifier(), now });
    socket.on('error', () => undefined);
    assert.ok(isCode('CCN_ERR_ATTEST_POLICY')(await harness.nextRejection()));
    await waitForClose(socket);
  });

  test('an expired client certificate is rejected', async () => {
    const expired = await startRecordingServer({ identity: fakeTdx, verifier: new FakeTdxPolicyVerifier(), powDifficulty: DIFFICULTY, now: () => new Date('2026-01-03T00:00:00Z') });
    const { socket } = await dialSecure({ host: '127.0.0.1', port: expired.server.port, identity: fakeTdx, verifier: new AnyPolicyVerifier(), now });
    socket.on('error', () => undefined);
    assert.ok(isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /expired/)(await expired.nextRejection()));
    await waitForClose(socket);
    await expired.server.close();
  });
});

describe('dialer checks', () => {
  let harness: RecordingServer;
  before(async () => {
    harness = await startRecordingServer({ identity: plain, verifier: new AnyPolicyVerifier(), powDifficulty: 12 });
  });
  after(() => harness.server.close());

  test('a challenge above the maximum difficulty is refused', async () => {
    await assert.rejects(
      dialSecure({ host: '127.0.0.1', port: harness.server.port, identity: plain, verifier: new AnyPolicyVerifier(), maxPowDifficulty: 8, now }),
      isCode('CCN_ERR_PROTOCOL_BAD_POW', /difficulty 12, above the limit 8/),
    );
    assert.ok(isCode('CCN_ERR_SESSION_CLOSED')(await harness.nextRejection()));
  });

  test('the dial timeout bounds a long PoW search', async () => {
    const hard = await startRecordingServer({ identity: plain, verifier: new AnyPolicyVerifier(), powDifficulty: 40 });
    await assert.rejects(
      dialSecure({ host: '127.0.0.1', port: hard.server.port, identity: plain, verifier: new AnyPolicyVerifier(), maxPowDifficulty: 40, timeoutMs: 100, now }),
      isCode('CCN_ERR_TIMEOUT'),
    );
    await hard.server.close();
  });

  test('a server without attestation is refused by a fake_tdx dialer', async () => {
    await assert.rejects(
      dialSecure({ host: '127.0.0.1', port: harness.server.port, identity: fakeTdx, verifier: new FakeTdxPolicyVerifier(), now }),
      isCode('CCN_ERR_ATTEST_POLICY'),
    );
  });

  test('an expired server certificate is refused', async () => {
    await assert.rejects(
      dialSecure({ host: '127.0.0.1', port: harness.server.port, identity: plain, verifier: new AnyPolicyVerifier(), now: () => new Date('2026-02-01T00:00:00Z') }),
      isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /expired/),
    );
  });

  test('a refused TCP connection fails cleanly', async () => {
    const closed = await startRecordingServer({ identity: plain, verifier: new AnyPolicyVerifier(), powDifficulty: 1 });
    const port = closed.server.port;
    await closed.server.close();
    await assert.rejects(dialSecure({ host: '127.0.0.1', port, identity: plain, verifier: new AnyPolicyVerifier(), now }), isCode('CCN_ERR_SESSION_CLOSED'));
  });

  test('a dial against a silent server times out', async () => {
    const held = new Set<net.Socket>();
    const silent = net.createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    await assert.rejects(dialSecure({ host: '127.0.0.1', port, identity: plain, verifier: new AnyPolicyVerifier(), timeoutMs: 100, now }), isCode('CCN_ERR_TIMEOUT'));
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });
});
