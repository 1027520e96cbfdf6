/**
 * The idle timeout when the process itself lagged (§16): data the peer sent while this side's event
 * loop was stalled waits in the socket, and the liveness timer runs before the loop reads it; the
 * session must read it before it declares the peer silent. A truly silent peer still times out
 * (cocoon-session.test.ts). The clock is injected; the stall is a synchronous busy loop, so the
 * timer is due before the data is read, whatever the machine's speed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBoxed } from '../../src/tl/index.ts';
import { encodeFrame } from '../../src/framing/index.ts';
import { CocoonSession } from '../../src/session/index.ts';
import { connectedSockets } from './session-pair.ts';

const turns = async (count: number): Promise<void> => {
  for (let index = 0; index < count; index += 1) await new Promise((resolve) => setImmediate(resolve));
};

test('a lagging listener reads the waiting data before its idle timeout closes the session', async () => {
  const sockets = await connectedSockets();
  let clock = 0;
  const listener = new CocoonSession(sockets.server, { role: 'listener', idleTimeoutMs: 1000, openTimeoutMs: 60_000, now: () => clock });
  const closes: Array<string | undefined> = [];
  listener.on('close', (error) => closes.push(error?.code));
  const opened = listener.open();
  sockets.client.write(encodeFrame(0, encodeBoxed({ _: 'tcp.connect', id: 7n })));
  await opened;
  // The loop stalls for 60 s of the session's clock: the peer's ping arrives meanwhile, unread.
  clock += 60_000;
  sockets.client.write(encodeFrame(1, encodeBoxed({ _: 'tcp.ping', id: 1n })));
  const stalledUntil = Date.now() + 300; // longer than the liveness tick (250 ms): the timer is due before the next poll
  while (Date.now() < stalledUntil) { /* stalled */ }
  await turns(20);
  assert.deepEqual(closes, [], 'the ping that waited in the socket counts');
  assert.ok(listener.isOpen);
  // With nothing waiting, the same silence closes it.
  clock += 60_000;
  const deadline = Date.now() + 5000;
  while (closes.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(closes, ['CCN_ERR_SESSION_IDLE_TIMEOUT']);
  await sockets.close();
});
