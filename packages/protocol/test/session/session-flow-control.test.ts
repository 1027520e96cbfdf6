/**
 * Session flow control and extensions on real loopback sockets: `writable` turns false when the
 * peer stops reading and 'drain' follows once it reads again; `holdReading` stops delivery (TCP
 * backpressure) without the idle timeout firing, and pings the peer meanwhile; `ext.*` messages
 * are refused on a session that negotiated no extension, in both directions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { TlObject } from '../../src/tl/index.ts';
import { COCOON_EXTENSIONS_ALPN, extensionsOfAlpn } from '../../src/session/index.ts';
import { nextClose, sessionPair } from './session-pair.ts';

const WITH_EXTENSIONS = { extensions: extensionsOfAlpn(COCOON_EXTENSIONS_ALPN) };
const cancel = (): TlObject => ({ _: 'ext.cancelQuery', request_id: Buffer.alloc(32, 7) });
const bigPacket = (): TlObject => ({ _: 'http.header', name: 'x', value: 'y'.repeat(256 * 1024) });

function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 5);
    };
    check();
  });
}

describe('session flow control', () => {
  test('writable turns false while the peer holds reading, and drain follows the release', async () => {
    const pair = await sessionPair();
    try {
      const received: TlObject[] = [];
      pair.listener.on('message', (message) => received.push(message));
      const release = pair.listener.holdReading();
      assert.equal(pair.listener.readingHeld, true);
      let sent = 0;
      while (pair.dialer.writable && sent < 400) {
        pair.dialer.send(bigPacket());
        sent += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(pair.dialer.writable, false, 'the dialer filled its socket buffers');
      assert.ok(pair.dialer.pendingWriteBytes > 0);
      assert.ok(received.length < sent, 'nothing more is delivered while reading is held');
      const drained = once(pair.dialer, 'drain');
      release();
      await drained;
      assert.equal(pair.dialer.writable, true);
      await waitFor(() => received.length === sent, 'every message after the release');
    } finally {
      await pair.close();
    }
  });

  test('a held session does not idle out and pings its peer, whatever its role', async () => {
    let now = 1_000_000;
    const pair = await sessionPair({}, { idleTimeoutMs: 1000, pingAfterMs: 400, now: () => now });
    try {
      const release = pair.listener.holdReading();
      const receivedBefore = pair.dialer.bytesReceived;
      now += 10_000; // far past the listener's idle timeout
      await waitFor(() => pair.dialer.bytesReceived > receivedBefore, 'a ping from the held listener');
      assert.equal(pair.listener.isOpen, true, 'the held listener ignored its own silence');
      release();
      assert.equal(pair.listener.readingHeld, false);
      now += 500; // released: silence counts again, from the release on
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(pair.listener.isOpen, true);
      const closed = nextClose(pair.listener);
      now += 10_000;
      assert.equal(await closed, 'CCN_ERR_SESSION_IDLE_TIMEOUT');
    } finally {
      await pair.close();
    }
  });
});

describe('session extensions', () => {
  test('a plain session has none and refuses to send an extension message', async () => {
    const pair = await sessionPair();
    try {
      assert.equal(pair.dialer.extensions.size, 0);
      assert.throws(() => pair.dialer.send(cancel()), (error: unknown) => (error as { code?: string }).code === 'CCN_ERR_PROTOCOL_VIOLATION');
    } finally {
      await pair.close();
    }
  });

  test('an extension message reaching a session without extensions closes it', async () => {
    const pair = await sessionPair(WITH_EXTENSIONS, {});
    try {
      const closed = nextClose(pair.listener);
      pair.dialer.send(cancel());
      assert.equal(await closed, 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR');
    } finally {
      await pair.close();
    }
  });

  test('sessions that negotiated extensions exchange them', async () => {
    const pair = await sessionPair(WITH_EXTENSIONS, WITH_EXTENSIONS);
    try {
      assert.deepEqual([...pair.listener.extensions].sort(), ['cancel', 'credit', 'e2e', 'errorCodes', 'market']);
      const message = once(pair.listener, 'message');
      pair.dialer.send({ _: 'ext.grantCredit', request_id: Buffer.alloc(32, 1), bytes: 4096n });
      const [received] = (await message) as [TlObject];
      assert.equal(received._, 'ext.grantCredit');
      assert.equal(received.bytes, 4096n);
    } finally {
      await pair.close();
    }
  });
});
