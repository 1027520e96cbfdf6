/**
 * The proxy's front door with injected timers and test-double sockets and sessions: caps per
 * address and in total, release on authorization or close, the authorization deadline (on the
 * raw socket, then on the session), deadline extension, and the frame limit lifted on authorization.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { MAX_FRAME_PAYLOAD_BYTES, type CocoonError, type CocoonSession } from '@cocoon/protocol';
import { UnauthenticatedConnectionGate, type GateTimers } from '../../src/connections/unauthenticated-connection-gate.ts';

/** Manual timers: `advance(ms)` fires whatever is due. */
class ManualTimers implements GateTimers {
  now = 0;
  private next = 1;
  private readonly due = new Map<number, { at: number; callback: () => void }>();
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.next++;
    this.due.set(id, { at: this.now + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }
  get pending(): number {
    return this.due.size;
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, timer] of [...this.due]) {
      if (timer.at > this.now) continue;
      this.due.delete(id);
      timer.callback();
    }
  }
}

class FakeSocket {
  destroyed = false;
  constructor(readonly remoteAddress: string, readonly remotePort = 40000) {}
  destroy(): this {
    this.destroyed = true;
    return this;
  }
}

class FakeSession extends EventEmitter {
  maxFramePayload = MAX_FRAME_PAYLOAD_BYTES;
  closedWith: CocoonError | undefined;
  isClosed = false;
  setMaxFramePayload(bytes: number): void {
    this.maxFramePayload = bytes;
  }
  close(error?: CocoonError): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closedWith = error;
    this.emit('close', error);
  }
}

const asSession = (session: FakeSession) => session as unknown as CocoonSession;

function newGate(overrides: Partial<{ maxPerAddress: number; maxTotal: number; authTimeoutMs: number }> = {}) {
  const timers = new ManualTimers();
  const expired: Array<[string, boolean]> = [];
  const gate = new UnauthenticatedConnectionGate({
    maxPerAddress: 2, maxTotal: 3, authTimeoutMs: 1000, unauthenticatedMaxFrameBytes: 64 * 1024, timers,
    onExpired: (remote, inSession) => expired.push([remote, inSession]), ...overrides,
  });
  return { gate, timers, expired };
}

test('the per-address cap refuses the next connection from that address only', () => {
  const { gate } = newGate({ maxTotal: 10 });
  assert.ok(gate.admit(new FakeSocket('10.0.0.1')));
  assert.ok(gate.admit(new FakeSocket('10.0.0.1')));
  assert.equal(gate.admit(new FakeSocket('10.0.0.1')), undefined);
  assert.equal(gate.admit(new FakeSocket('::ffff:10.0.0.1')), undefined, 'an IPv4-mapped address is the same address');
  assert.ok(gate.admit(new FakeSocket('10.0.0.2')));
  assert.equal(gate.count('10.0.0.1'), 2);
  assert.equal(gate.count(), 3);
});

test('the total cap refuses across addresses; releasing makes room again, once', () => {
  const { gate } = newGate({ maxPerAddress: 10 });
  const admitted = ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((address) => gate.admit(new FakeSocket(address)));
  assert.equal(gate.admit(new FakeSocket('10.0.0.4')), undefined);
  admitted[0]!.release();
  admitted[0]!.release(); // idempotent
  assert.equal(gate.count(), 2);
  assert.equal(gate.count('10.0.0.1'), 0);
  assert.ok(gate.admit(new FakeSocket('10.0.0.4')));
  assert.equal(gate.admit(new FakeSocket('10.0.0.5')), undefined);
});

test('before a session exists the deadline destroys the raw socket', () => {
  const { gate, timers, expired } = newGate();
  const socket = new FakeSocket('10.0.0.1', 5555);
  gate.admit(socket);
  timers.advance(999);
  assert.equal(socket.destroyed, false);
  timers.advance(1);
  assert.equal(socket.destroyed, true);
  assert.deepEqual(expired, [['10.0.0.1:5555', false]]);
  assert.equal(gate.count(), 0, 'an expired connection no longer counts');
});

test('a guarded session starts on the small frame limit and is closed by the deadline; pings do not help', () => {
  const { gate, timers, expired } = newGate();
  const session = new FakeSession();
  const pending = gate.admit(new FakeSocket('10.0.0.1', 6666));
  gate.guard(asSession(session), pending);
  assert.equal(session.maxFramePayload, 64 * 1024);
  timers.advance(1000);
  assert.deepEqual(expired, [['10.0.0.1:6666', true]]);
  assert.equal(session.isClosed, true);
  assert.equal(session.closedWith?.code, 'CCN_ERR_TIMEOUT');
  assert.match(session.closedWith?.message ?? '', /did not authorize within 1000 ms/);
  assert.equal(gate.count(), 0);
});

test('authorization lifts the frame limit, stops the deadline and frees the slot', () => {
  const { gate, timers } = newGate();
  const session = new FakeSession();
  const watch = gate.guard(asSession(session), gate.admit(new FakeSocket('10.0.0.1')));
  watch.authorized();
  assert.equal(session.maxFramePayload, MAX_FRAME_PAYLOAD_BYTES);
  assert.equal(gate.count(), 0);
  assert.equal(timers.pending, 0);
  timers.advance(10_000);
  assert.equal(session.isClosed, false);
});

test('a session closing on its own frees its slot', () => {
  const { gate, timers } = newGate();
  const session = new FakeSession();
  gate.guard(asSession(session), gate.admit(new FakeSocket('10.0.0.1')));
  session.close();
  assert.equal(gate.count(), 0);
  assert.equal(timers.pending, 0);
});

test('extending the deadline (long auth waiting on chain) moves it to now + ms', () => {
  const { gate, timers } = newGate();
  const session = new FakeSession();
  const watch = gate.guard(asSession(session), gate.admit(new FakeSocket('10.0.0.1')));
  timers.advance(900);
  watch.extendDeadline(5000);
  timers.advance(4999);
  assert.equal(session.isClosed, false);
  assert.equal(gate.count(), 1, 'still unauthenticated: still counted');
  timers.advance(1);
  assert.equal(session.isClosed, true);
});

test('a connection whose deadline passed during TLS cannot be guarded', () => {
  const { gate, timers } = newGate();
  const pending = gate.admit(new FakeSocket('10.0.0.1'));
  timers.advance(1000);
  const session = new FakeSession();
  const watch = gate.guard(asSession(session), pending);
  assert.equal(session.isClosed, true);
  watch.authorized();
  assert.equal(session.maxFramePayload, 64 * 1024);
});

test('caps and the deadline must be positive integers', () => {
  assert.throws(() => newGate({ maxPerAddress: 0 }), RangeError);
  assert.throws(() => newGate({ maxTotal: 1.5 }), RangeError);
  assert.throws(() => newGate({ authTimeoutMs: -1 }), RangeError);
});
