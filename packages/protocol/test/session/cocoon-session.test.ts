/** Sessions over real loopback sockets: opening, queries, messages, keep-alive and protocol violations. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, PeerReportedError, WireErrorCode } from '../../src/errors/error-table.ts';
import { encodeBoxed } from '../../src/tl/index.ts';
import { encodeFrame } from '../../src/framing/index.ts';
import { CocoonSession } from '../../src/session/index.ts';
import { connectedSockets, nextClose, sessionPair } from './session-pair.ts';

test('tcp.connect / tcp.connected opens both sides and queries are answered', async () => {
  const pair = await sessionPair();
  pair.listener.on('query', (query, reply) => {
    assert.equal(query._, 'worker.proxyHandshakeComplete');
    reply.answer({ _: 'worker.proxyHandshakeCompleted' });
  });
  const answer = await pair.dialer.query({ _: 'worker.proxyHandshakeComplete', is_disabled: false });
  assert.equal(answer._, 'worker.proxyHandshakeCompleted');
  assert.ok(pair.dialer.isOpen && pair.listener.isOpen);
  await pair.close();
});

test('one-way messages arrive in order', async () => {
  const pair = await sessionPair();
  const received: number[] = [];
  const done = new Promise<void>((resolve) => pair.listener.on('message', (message) => {
    received.push(message.disabled as number);
    if (received.length === 3) resolve();
  }));
  for (const disabled of [1, 0, 1]) pair.dialer.send({ _: 'worker.enabledDisabled', disabled });
  await done;
  assert.deepEqual(received, [1, 0, 1]);
  await pair.close();
});

test('a failed query comes back as tcp.queryError with the wire code', async () => {
  const pair = await sessionPair();
  pair.listener.on('query', (_query, reply) => reply.fail(new CocoonError('CCN_ERR_ROUTE_UNKNOWN_MODEL', 'unknown model x')));
  await assert.rejects(pair.dialer.query({ _: 'client.getWorkerTypesV2' }), (error: unknown) => {
    assert.ok(error instanceof PeerReportedError);
    assert.equal(error.wireCode, WireErrorCode.protoViolation);
    assert.equal(error.message, 'unknown model x');
    return true;
  });
  await pair.close();
});

test('an unanswered query times out without closing the session', async () => {
  const pair = await sessionPair();
  pair.listener.on('query', () => undefined);
  await assert.rejects(pair.dialer.query({ _: 'client.getWorkerTypesV2' }, 50), (error: unknown) => (error as CocoonError).code === 'CCN_ERR_TIMEOUT');
  assert.ok(pair.dialer.isOpen);
  await pair.close();
});

test('the dialer pings when idle, which keeps the listener alive', async () => {
  const pair = await sessionPair({ pingAfterMs: 40, idleTimeoutMs: 1000 }, { idleTimeoutMs: 150 });
  // Wait for the pings themselves (20-byte tcp.ping frames) until more than the listener's idle timeout has passed.
  const startedAt = Date.now();
  const baseline = pair.listener.bytesReceived;
  const deadline = startedAt + 5000;
  while ((pair.listener.bytesReceived - baseline < 5 * 20 || Date.now() - startedAt < 300) && Date.now() < deadline && pair.listener.isOpen) {
    await new Promise((resolve) => setTimeout(resolve, 10)); // a bounded poll for the condition, not a fixed sleep
  }
  assert.ok(pair.listener.bytesReceived - baseline >= 5 * 20, 'the dialer pinged while idle');
  assert.ok(pair.listener.isOpen, 'listener stayed open past its idle timeout thanks to pings');
  await pair.close();
});

test('silence past the idle timeout closes the session', async () => {
  const sockets = await connectedSockets();
  const listener = new CocoonSession(sockets.server, { role: 'listener', idleTimeoutMs: 100, openTimeoutMs: 5000 });
  const closed = nextClose(listener);
  listener.open().catch(() => undefined);
  assert.equal(await closed, 'CCN_ERR_SESSION_IDLE_TIMEOUT');
  await sockets.close();
});

async function listenerReceiving(bytes: Buffer[]): Promise<string | undefined> {
  const sockets = await connectedSockets();
  const listener = new CocoonSession(sockets.server, { role: 'listener' });
  const closed = nextClose(listener);
  listener.open().catch(() => undefined);
  for (const chunk of bytes) sockets.client.write(chunk);
  const code = await closed;
  await sockets.close();
  return code;
}

const connect = encodeFrame(0, encodeBoxed({ _: 'tcp.connect', id: 7n }));

test('a seqno gap is a protocol violation', async () => {
  const code = await listenerReceiving([connect, encodeFrame(2, encodeBoxed({ _: 'tcp.ping', id: 1n }))]);
  assert.equal(code, 'CCN_ERR_PROTOCOL_BAD_SEQNO');
});

test('a frame announcing more than 16 MiB is refused before it is buffered', async () => {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(16 * 1024 * 1024 + 1, 0);
  assert.equal(await listenerReceiving([header]), 'CCN_ERR_PROTOCOL_FRAME_TOO_LARGE');
});

test('an unknown TL constructor closes the session', async () => {
  const frame = encodeFrame(0, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0]));
  assert.equal(await listenerReceiving([frame]), 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
});

test('application data before tcp.connect closes the session', async () => {
  const frame = encodeFrame(0, encodeBoxed({ _: 'tcp.packet', data: encodeBoxed({ _: 'worker.enabledDisabled', disabled: 0 }) }));
  assert.equal(await listenerReceiving([frame]), 'CCN_ERR_PROTOCOL_VIOLATION');
});

test('a violation on one session leaves other sessions working', async () => {
  const healthy = await sessionPair();
  healthy.listener.on('query', (_query, reply) => reply.answer({ _: 'worker.proxyHandshakeCompleted' }));
  assert.equal(await listenerReceiving([Buffer.from('GET / HTTP/1.1\r\n\r\n')]), 'CCN_ERR_PROTOCOL_FRAME_TOO_LARGE');
  const answer = await healthy.dialer.query({ _: 'worker.proxyHandshakeComplete', is_disabled: true });
  assert.equal(answer._, 'worker.proxyHandshakeCompleted');
  await healthy.close();
});

test('pending queries fail when the peer goes away', async () => {
  const pair = await sessionPair();
  pair.listener.on('query', () => pair.listener.close());
  await assert.rejects(pair.dialer.query({ _: 'client.getWorkerTypesV2' }), (error: unknown) => (error as CocoonError).code === 'CCN_ERR_SESSION_CLOSED');
  await pair.close();
});
