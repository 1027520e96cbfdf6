// Negotiation of our protocol extensions (§19) through TLS ALPN over real sockets: our dialer and
// listener agree on `cocoon-ext-1`; a dialer that offers nothing (as the reference client) and a
// listener that selects nothing (as the reference proxy, an OpenSSL server without an ALPN
// callback) both end with no extension (the session then refuses `ext.*`: protocol/test/session).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonSession } from '@cocoon/protocol';
import { AnyPolicyVerifier, dialSecure, type SelfSignedCertificate } from '../../src/index.ts';
import { VERIFY_TIME, fakeTdxCertificate, plainCertificate } from '../support/test-certificates.ts';
import { startRecordingServer, type RecordingServer } from '../support/transport-harness.ts';

const now = (): Date => VERIFY_TIME;
let plain: SelfSignedCertificate;
let ours: RecordingServer;
let referenceLike: RecordingServer;

before(async () => {
  const identity = await fakeTdxCertificate();
  plain = await plainCertificate();
  ours = await startRecordingServer({ identity, verifier: new AnyPolicyVerifier(), powDifficulty: 2 });
  referenceLike = await startRecordingServer({ identity, verifier: new AnyPolicyVerifier(), powDifficulty: 2, acceptExtensions: false });
});
after(async () => {
  await ours.server.close();
  await referenceLike.server.close();
});

const dial = (server: RecordingServer, offerExtensions?: boolean) =>
  dialSecure({ host: '127.0.0.1', port: server.server.port, identity: plain, verifier: new AnyPolicyVerifier(), now, ...(offerExtensions === undefined ? {} : { offerExtensions }) });

test('our dialer and our listener negotiate every extension', async () => {
  const connection = await dial(ours);
  const accepted = await ours.nextConnection();
  assert.deepEqual([...connection.extensions].sort(), ['cancel', 'credit', 'e2e', 'errorCodes', 'market']);
  assert.equal(accepted.socket.alpnProtocol, 'cocoon-ext-1');
  const listenerSession = new CocoonSession(accepted.socket, { role: 'listener' });
  assert.deepEqual([...listenerSession.extensions].sort(), ['cancel', 'credit', 'e2e', 'errorCodes', 'market'], 'the session reads the ALPN protocol from its socket');
  listenerSession.close();
  connection.socket.destroy();
});

test('a dialer that offers no ALPN (a reference client) gets no extension on either side', async () => {
  const connection = await dial(ours, false);
  const accepted = await ours.nextConnection();
  assert.equal(connection.extensions.size, 0);
  assert.equal(accepted.socket.alpnProtocol, false);
  const session = new CocoonSession(accepted.socket, { role: 'listener' });
  assert.equal(session.extensions.size, 0);
  session.close();
  connection.socket.destroy();
});

test('a listener that ignores ALPN (a reference proxy) leaves our dialer without extensions', async () => {
  const connection = await dial(referenceLike);
  const accepted = await referenceLike.nextConnection();
  assert.equal(accepted.socket.alpnProtocol, false);
  assert.equal(connection.extensions.size, 0);
  connection.socket.destroy();
});
