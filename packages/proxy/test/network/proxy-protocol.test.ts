/** The proxy against raw protocol peers: handshakes, rejections and violations, on real sockets. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PeerReportedError, WireErrorCode } from '@cocoon/protocol';
import type { CocoonSession } from '@cocoon/protocol';
import { authorizedClient, clientParams, closed, nextMessage, openPeerSession, runQuery, startTestProxy } from './proxy-test-peer.ts';
import type { TestProxy } from './proxy-test-peer.ts';

describe('proxy protocol edge', () => {
  let proxy: TestProxy;
  const sessions: CocoonSession[] = [];
  const track = (session: CocoonSession) => (sessions.push(session), session);

  before(async () => {
    proxy = await startTestProxy();
  });

  after(async () => {
    for (const session of sessions) session.close();
    await proxy.handle.close();
  });

  test('short authorization with the right secret succeeds, a wrong one is refused', async () => {
    track(await authorizedClient(proxy.clientPort));
    const session = track(await openPeerSession(proxy.clientPort, 'client'));
    const connected = await session.query({ _: 'client.connectToProxy', params: clientParams(), min_config_version: 0 });
    assert.equal((connected.auth as { _: string })._, 'client.proxyConnectionAuthShort');
    const result = await session.query({ _: 'client.authorizeWithProxyShort', data: Buffer.from('wrong secret') });
    assert.equal(result._, 'client.authorizationWithProxyFailed');
  });

  test('a test-mode mismatch is refused and the connection closed', async () => {
    const session = track(await openPeerSession(proxy.clientPort, 'client'));
    await assert.rejects(session.query({ _: 'client.connectToProxy', params: clientParams(false), min_config_version: 0 }), PeerReportedError);
    await closed(session);
  });

  test('an unknown client gets long auth, which is refused without a chain', async () => {
    const session = track(await openPeerSession(proxy.clientPort, 'client'));
    const connected = await session.query({ _: 'client.connectToProxy', params: { ...clientParams(), client_owner_address: 'UQ-somebody-else' }, min_config_version: 0 });
    assert.equal((connected.auth as { _: string })._, 'client.proxyConnectionAuthLong');
    const result = await session.query({ _: 'client.authorizeWithProxyLong' });
    assert.equal(result._, 'client.authorizationWithProxyFailed');
  });

  test('a request before authorization closes the connection', async () => {
    const session = track(await openPeerSession(proxy.clientPort, 'client'));
    session.send(runQuery('test/tiny-chat'));
    await closed(session);
  });

  test('an unknown model is answered with queryAnswerErrorEx (not the legacy error)', async () => {
    const session = track(await authorizedClient(proxy.clientPort, false)); // a reference client: the reference layout
    const answer = nextMessage(session, 'client.queryAnswerErrorEx');
    session.send(runQuery('no/such-model'));
    const error = await answer;
    assert.equal(error.error_code, WireErrorCode.protoViolation);
    assert.match(error.error as string, /unknown model no\/such-model/);
  });

  test('nonsensical request values are refused with a clear error', async () => {
    const session = track(await authorizedClient(proxy.clientPort, false));
    const answer = nextMessage(session, 'client.queryAnswerErrorEx');
    session.send(runQuery('test/tiny-chat', { timeout: 0 }));
    assert.match((await answer).error as string, /invalid runQueryEx: timeout/);
  });

  test('a wrong TL constructor closes that connection; other clients are unaffected', async () => {
    const healthy = track(await authorizedClient(proxy.clientPort));
    const bad = track(await authorizedClient(proxy.clientPort));
    bad.send({ _: 'tcp.ping', id: 1n }); // a session packet where an application message belongs
    await closed(bad);
    const types = await healthy.query({ _: 'client.getWorkerTypesV2' });
    assert.equal(types._, 'client.workerTypesV2');
  });

  test('worker handshake steps out of order are refused', async () => {
    const session = track(await openPeerSession(proxy.workerPort, 'worker'));
    await assert.rejects(session.query({ _: 'worker.compareBalanceWithProxy', tokens_committed_to_blockchain: 0n, tokens_committed_to_db: 0n, max_tokens: 0n }), PeerReportedError);
    await closed(session);
  });

  test('a plain (non-TEE) certificate is not accepted on the worker port', async () => {
    await assert.rejects(async () => {
      const session = track(await openPeerSession(proxy.workerPort, 'client'));
      await session.query({ _: 'worker.proxyHandshakeComplete', is_disabled: false }, 2000);
    });
  });
});

describe('proxy admission', () => {
  let proxy: TestProxy;
  const sessions: CocoonSession[] = [];

  before(async () => {
    proxy = await startTestProxy({
      dev_clients: [{ owner_address: 'UQCjho1xTzl67SdWC7B4mmfcpNrQYBpBqsV8GJVuXi4nIlDg', secret_hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', balance_nanoton: 2000, stake_nanoton: 2000 }],
    });
  });

  after(async () => {
    for (const session of sessions) session.close();
    await proxy.handle.close();
  });

  test('a client whose balance cannot cover max_tokens is refused before any worker is involved', async () => {
    const session = await authorizedClient(proxy.clientPort, false);
    sessions.push(session);
    const answer = nextMessage(session, 'client.queryAnswerErrorEx');
    session.send(runQuery('test/tiny-chat', { max_tokens: 1000 }));
    assert.match((await answer).error as string, /balance is too low/);
  });

  test('a client that negotiated coded errors gets the billing code itself (§19)', async () => {
    const session = await authorizedClient(proxy.clientPort);
    sessions.push(session);
    const answer = nextMessage(session, 'ext.clientQueryAnswerErrorCoded');
    session.send(runQuery('test/tiny-chat', { max_tokens: 1000 }));
    const error = await answer;
    assert.equal(error.ccn_code, 'CCN_ERR_BILLING_INSUFFICIENT_BALANCE');
    assert.equal(error.error_code, WireErrorCode.error);
  });
});
