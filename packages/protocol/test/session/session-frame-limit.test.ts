/**
 * A session's incoming frame limit over real loopback sockets: a listener started on a small
 * limit closes on a larger frame (from its header alone), raising the limit lets large frames
 * through, and closing releases what the decoder held.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TlObject } from '../../src/tl/index.ts';
import { MAX_FRAME_PAYLOAD_BYTES } from '../../src/framing/index.ts';
import { nextClose, sessionPair } from './session-pair.ts';

const KIB = 1024;
const runQuery = (queryBytes: number): TlObject => ({
  _: 'client.runQueryEx', model_name: 'm', query: Buffer.alloc(queryBytes, 5), max_coefficient: 1, max_tokens: 1, timeout: 1,
  request_id: Buffer.alloc(32, 1), min_config_version: 0, flags: 0,
});

test('a listener on a 64 KiB limit closes on a larger frame; raised, it accepts 1 MiB', async () => {
  const small = await sessionPair({}, { maxFramePayloadBytes: 64 * KIB });
  assert.equal(small.listener.maxFramePayload, 64 * KIB);
  const closed = nextClose(small.listener);
  small.dialer.send(runQuery(100 * KIB));
  assert.equal(await closed, 'CCN_ERR_PROTOCOL_FRAME_TOO_LARGE');
  await small.close();

  const raised = await sessionPair({}, { maxFramePayloadBytes: 64 * KIB });
  raised.listener.setMaxFramePayload(MAX_FRAME_PAYLOAD_BYTES);
  const received = new Promise<TlObject>((resolve) => raised.listener.once('message', resolve));
  raised.dialer.send(runQuery(1024 * KIB));
  assert.equal(((await received).query as Buffer).length, 1024 * KIB);
  assert.ok(raised.listener.isOpen);
  await raised.close();
});

test('a header announcing 16 MiB closes a small-limit listener before the payload is buffered', async () => {
  const pair = await sessionPair({}, { maxFramePayloadBytes: 64 * KIB });
  const closed = nextClose(pair.listener);
  const header = Buffer.alloc(8);
  header.writeUInt32LE(MAX_FRAME_PAYLOAD_BYTES, 0);
  header.writeUInt32LE(1, 4);
  pair.dialerSocket.write(Buffer.concat([header, Buffer.alloc(32 * KIB)]));
  assert.equal(await closed, 'CCN_ERR_PROTOCOL_FRAME_TOO_LARGE');
  assert.equal(pair.listener.bufferedBytes, 0);
  await pair.close();
});

test('closing a session releases a partial frame it was holding', async () => {
  const pair = await sessionPair();
  const header = Buffer.alloc(8);
  header.writeUInt32LE(MAX_FRAME_PAYLOAD_BYTES, 0);
  header.writeUInt32LE(1, 4);
  pair.dialerSocket.write(Buffer.concat([header, Buffer.alloc(256 * KIB)]));
  const deadline = Date.now() + 5000;
  while (pair.listener.bufferedBytes < 8 + 256 * KIB && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(pair.listener.bufferedBytes, 8 + 256 * KIB, 'the partial frame is held while the session lives');
  pair.listener.close();
  assert.equal(pair.listener.bufferedBytes, 0);
  await pair.close();
});

test('open() on a closed session rejects instead of starting timers', async () => {
  const pair = await sessionPair({}, {}, false);
  pair.listener.close();
  await assert.rejects(pair.listener.open(), (error: unknown) => (error as { code?: string }).code === 'CCN_ERR_SESSION_CLOSED');
  await pair.close();
});
