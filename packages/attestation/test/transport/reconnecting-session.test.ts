// ReconnectingSession on real loopback sockets with node:test mock timers for its reconnect delay:
// the backoff sequence (1 s doubling to 10 s), the reset after a ready session, handshake
// failures, a session lost during the handshake, and close() ending every retry.
import { after, afterEach, before, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { CocoonSession, type CocoonError, type LogFields, type Logger } from '@cocoon/protocol';
import {
  AnyPolicyVerifier,
  NoTeeProvider,
  ReconnectingSession,
  createAttestedCertificate,
  expectAnswer,
  listenSecure,
  type ReconnectingSessionOptions,
  type SecureServer,
  type SelfSignedCertificate,
} from '../../src/index.ts';

/** Resolves `wait(n)` once the n-th warning with this message has been logged. */
class RecordingLogger implements Logger {
  readonly role = 'test';
  readonly warnings: Array<{ message: string; fields: LogFields | undefined }> = [];
  private waiters: Array<() => void> = [];
  debug(): void {}
  info(): void {}
  error(): void {}
  child(): Logger {
    return this;
  }
  warn(message: string, fields?: LogFields): void {
    this.warnings.push({ message, fields });
    for (const waiter of this.waiters.splice(0)) waiter();
  }
  count(message: string): number {
    return this.warnings.filter((warning) => warning.message === message).length;
  }
  async wait(message: string, count: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (this.count(message) < count) {
      if (Date.now() > deadline) throw new Error(`no ${count}th "${message}" warning`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setImmediate(resolve); // also re-check on the next turn (bounded by the deadline)
      });
    }
  }
}

/** Bounded wait for a condition the code under test reaches asynchronously. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const FAILED = 'proxy connection failed';
const LOST = 'proxy connection lost';

/** A server for both outcomes: while `refusing`, each TCP connection is closed at once; otherwise PoW, TLS and a session. */
interface TestServer {
  port: number;
  refusing: boolean;
  tcpConnections: number;
  sessions: CocoonSession[];
  nextSession(): Promise<CocoonSession>;
  close(): Promise<void>;
}

async function startServer(identity: SelfSignedCertificate): Promise<TestServer> {
  const sessionWaiters: Array<(session: CocoonSession) => void> = [];
  const state: TestServer = {
    port: 0, refusing: true, tcpConnections: 0, sessions: [],
    nextSession: () => new Promise((resolve) => sessionWaiters.push(resolve)),
    close: async () => {
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await secure.close();
    },
  };
  const secure: SecureServer = await listenSecure({
    host: '127.0.0.1', port: 0, identity, verifier: new AnyPolicyVerifier(), powDifficulty: 1,
    onConnection: (socket) => {
      socket.on('error', () => undefined);
      const session = new CocoonSession(socket, { role: 'listener' });
      state.sessions.push(session);
      void session.open().then(() => sessionWaiters.shift()?.(session), () => undefined);
    },
  });
  // The port the client dials: refuse, or splice the connection through to the secure server.
  const front = net.createServer((socket) => {
    state.tcpConnections++;
    socket.on('error', () => undefined);
    if (state.refusing) {
      socket.destroy();
      return;
    }
    const upstream = net.connect(secure.port, '127.0.0.1');
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  state.port = (front.address() as net.AddressInfo).port;
  return state;
}

describe('ReconnectingSession', () => {
  let identity: SelfSignedCertificate;
  let server: TestServer;
  let logger: RecordingLogger;
  let link: ReconnectingSession | undefined;
  const lost: CocoonError[] = [];

  // One mock-timer instance for the whole suite: re-enabling it per test restarts its timer ids, and a
  // late clearTimeout from the previous test's last dial could then cancel this test's timer.
  before(async () => {
    identity = await createAttestedCertificate({ provider: new NoTeeProvider(), now: new Date() });
    mock.timers.enable({ apis: ['setTimeout'] });
  });
  after(() => mock.timers.reset());
  beforeEach(async () => {
    server = await startServer(identity);
    logger = new RecordingLogger();
    lost.length = 0;
  });
  afterEach(async () => {
    link?.close();
    link = undefined;
    await server.close();
  });

  const open = (overrides: Partial<ReconnectingSessionOptions> = {}): ReconnectingSession => {
    link = new ReconnectingSession({
      host: '127.0.0.1', port: server.port, identity, verifier: new AnyPolicyVerifier(), maxPowDifficulty: 8, logger,
      handshake: async () => undefined,
      onMessage: () => undefined,
      onLost: (error) => lost.push(error),
      ...overrides,
    });
    link.start();
    return link;
  };

  /** After the n-th failure: no attempt before `delayMs`, the next one exactly at it. */
  async function expectRetryAfter(session: ReconnectingSession, failures: number, delayMs: number): Promise<void> {
    await logger.wait(FAILED, failures);
    assert.equal(session.state, 'reconnecting');
    const attempts = server.tcpConnections;
    mock.timers.tick(delayMs - 1);
    assert.equal(session.state, 'reconnecting', `still waiting 1 ms before ${delayMs} ms`);
    mock.timers.tick(1);
    assert.equal(session.state, 'connecting', `retrying at ${delayMs} ms`);
    assert.ok(server.tcpConnections >= attempts);
  }

  test('failures back off 1 s, 2 s, 4 s, 8 s, then 10 s at most', async () => {
    const session = open();
    let failures = 0;
    for (const delay of [1000, 2000, 4000, 8000, 10_000, 10_000]) await expectRetryAfter(session, ++failures, delay);
    assert.equal(logger.warnings[0]?.fields?.attempt, 1);
    assert.equal(logger.warnings[0]?.fields?.proxy, `127.0.0.1:${server.port}`);
    assert.equal(session.session, undefined);
  });

  test('custom delays are honoured', async () => {
    const session = open({ reconnectDelayMs: 250, maxReconnectDelayMs: 600 });
    let failures = 0;
    for (const delay of [250, 500, 600, 600]) await expectRetryAfter(session, ++failures, delay);
  });

  test('a ready session resets the backoff: after it is lost the next try waits the first delay', async () => {
    const session = open();
    await expectRetryAfter(session, 1, 1000);
    await expectRetryAfter(session, 2, 2000);
    await logger.wait(FAILED, 3);
    server.refusing = false;
    await expectRetryAfter(session, 3, 4000);
    const serverSide = await server.nextSession();
    await session.whenReady();
    assert.equal(session.state, 'ready');
    assert.ok(session.session?.isOpen);
    await session.whenReady(); // resolves at once while ready

    serverSide.close();
    await logger.wait(LOST, 1);
    assert.equal(lost.length, 1);
    assert.equal(lost[0]?.code, 'CCN_ERR_SESSION_CLOSED');
    assert.equal(session.session, undefined);
    assert.equal(session.state, 'reconnecting');
    mock.timers.tick(999);
    assert.equal(session.state, 'reconnecting');
    mock.timers.tick(1);
    assert.equal(session.state, 'connecting');
    await server.nextSession();
    await session.whenReady();
  });

  test('a failing handshake closes that session and counts as a failure', async () => {
    server.refusing = false;
    let handshakes = 0;
    const session = open({ handshake: async () => { handshakes++; throw new Error('proxy refused our handshake'); } });
    const serverSide = await server.nextSession();
    await logger.wait(FAILED, 1);
    assert.equal(handshakes, 1);
    assert.match(String(logger.warnings[0]?.fields?.error), /proxy refused our handshake/);
    if (!serverSide.isClosed) await new Promise((resolve) => serverSide.once('close', resolve));
    await expectRetryAfter(session, 1, 1000);
    await expectRetryAfter(session, 2, 2000);
    assert.equal(lost.length, 0, 'never ready, so never reported lost');
  });

  test('a session lost while its handshake is still running is not reported ready', async () => {
    server.refusing = false;
    let finishHandshake: () => void = () => undefined;
    let handshakeStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (handshakeStarted = resolve));
    const session = open({ handshake: () => new Promise<void>((resolve) => { finishHandshake = resolve; handshakeStarted(); }) });
    let readyReported = false;
    void session.whenReady().then(() => (readyReported = true));
    const serverSide = await server.nextSession();
    await started;
    assert.equal(session.state, 'handshaking');
    serverSide.close();
    await waitFor(() => session.state === 'reconnecting', 'the client to see the close');
    finishHandshake();
    await logger.wait(FAILED, 1);
    assert.equal(readyReported, false);
    assert.notEqual(session.state, 'ready');
    assert.equal(session.session, undefined);
  });

  test('an application message before the handshake completed is a protocol violation', async () => {
    server.refusing = false;
    const messages: unknown[] = [];
    const session = open({ handshake: () => new Promise<void>(() => undefined), onMessage: (_session, message) => messages.push(message) });
    const serverSide = await server.nextSession();
    const closedWith = new Promise<CocoonError | undefined>((resolve) => serverSide.once('close', resolve));
    serverSide.send({ _: 'worker.newCoefficient', new_coefficient: 5 });
    await closedWith;
    assert.deepEqual(messages, []);
    assert.notEqual(session.state, 'ready');
  });

  test('close() while waiting to retry stops every later attempt', async () => {
    const session = open();
    await logger.wait(FAILED, 1);
    const attempts = server.tcpConnections;
    session.close();
    assert.equal(session.state, 'closed');
    mock.timers.tick(60_000);
    assert.equal(session.state, 'closed');
    assert.equal(server.tcpConnections, attempts);
  });

  test('close() during the handshake leaves the link closed, never ready', async () => {
    server.refusing = false;
    let finishHandshake: () => void = () => undefined;
    let handshakeStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (handshakeStarted = resolve));
    const session = open({ handshake: () => new Promise<void>((resolve) => { finishHandshake = resolve; handshakeStarted(); }) });
    await server.nextSession();
    await started;
    session.close();
    finishHandshake();
    await waitFor(() => server.sessions[0]!.isClosed, 'the server to see the close');
    assert.equal(session.state, 'closed');
    assert.equal(session.session, undefined);
    mock.timers.tick(60_000);
    assert.equal(server.tcpConnections, 1);
  });

  test('close() while connected ends the session without reporting it lost or reconnecting', async () => {
    server.refusing = false;
    const session = open();
    const serverSide = await server.nextSession();
    await session.whenReady();
    const serverClosed = new Promise((resolve) => serverSide.once('close', resolve));
    session.close();
    await serverClosed;
    mock.timers.tick(60_000);
    assert.equal(session.state, 'closed');
    assert.equal(lost.length, 0);
    assert.equal(server.sessions.length, 1);
  });
});

describe('expectAnswer', () => {
  test('passes the expected constructor and refuses another as a protocol violation', () => {
    assert.doesNotThrow(() => expectAnswer({ _: 'worker.proxyHandshakeCompleted' }, 'worker.proxyHandshakeCompleted'));
    assert.throws(() => expectAnswer({ _: 'worker.newCoefficient', new_coefficient: 1 }, 'worker.proxyHandshakeCompleted'),
      { code: 'CCN_ERR_PROTOCOL_VIOLATION', message: 'expected worker.proxyHandshakeCompleted, got worker.newCoefficient' });
  });
});
