// readExactly: the PoW bytes before TLS are read exactly, however they are chunked; extra bytes
// are pushed back for the TLS layer; an early end or error is a SESSION_CLOSED with the progress.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type net from 'node:net';
import { PassThrough } from 'node:stream';
import { readExactly } from '../../src/transport/read-exactly.ts';

/** A duplex stream standing in for the TCP socket (same data/end/close/error events, pause/unshift). */
const fakeSocket = (): PassThrough & net.Socket => new PassThrough() as PassThrough & net.Socket;
const LISTENED = ['data', 'end', 'close', 'error'] as const;
const listenerCounts = (socket: net.Socket): number[] => LISTENED.map((event) => socket.listenerCount(event));

describe('readExactly', () => {
  test('one chunk of exactly the length', async () => {
    const socket = fakeSocket();
    const before = listenerCounts(socket);
    const reading = readExactly(socket, 4, 'PoW response');
    socket.write(Buffer.from([1, 2, 3, 4]));
    assert.deepEqual(await reading, Buffer.from([1, 2, 3, 4]));
    assert.deepEqual(listenerCounts(socket), before, 'every listener it added is removed');
    assert.equal(socket.isPaused(), true, 'the socket is left paused for the TLS layer');
  });

  test('many small chunks are joined', async () => {
    const socket = fakeSocket();
    const reading = readExactly(socket, 24, 'PoW challenge');
    for (let index = 0; index < 24; index += 5) socket.write(Buffer.from(Array.from({ length: Math.min(5, 24 - index) }, (_, offset) => index + offset)));
    assert.deepEqual(await reading, Buffer.from(Array.from({ length: 24 }, (_, index) => index)));
  });

  test('bytes past the length are pushed back and read next, in order', async () => {
    const socket = fakeSocket();
    const reading = readExactly(socket, 3, 'PoW response');
    socket.write(Buffer.from('ab'));
    socket.write(Buffer.from('cTLS hello'));
    assert.equal((await reading).toString(), 'abc');
    socket.resume();
    const [rest] = (await once(socket, 'data')) as [Buffer];
    assert.equal(rest.toString(), 'TLS hello');
  });

  test('two reads in sequence split one stream exactly (the reader resumes the paused socket)', async () => {
    const socket = fakeSocket();
    socket.write(Buffer.from('0123456789'));
    assert.equal((await readExactly(socket, 4, 'first')).toString(), '0123');
    const second = readExactly(socket, 6, 'second');
    socket.resume();
    assert.equal((await second).toString(), '456789');
  });

  test('an end before the length is SESSION_CLOSED naming what was awaited and how much came', async () => {
    const socket = fakeSocket();
    const before = listenerCounts(socket);
    const reading = readExactly(socket, 24, 'PoW challenge');
    socket.write(Buffer.alloc(10));
    socket.end();
    await assert.rejects(reading, { code: 'CCN_ERR_SESSION_CLOSED', message: 'connection closed while waiting for the PoW challenge (10/24 bytes)' });
    assert.deepEqual(listenerCounts(socket), before);
  });

  test('a close without data is SESSION_CLOSED at 0 bytes', async () => {
    const socket = fakeSocket();
    const reading = readExactly(socket, 8, 'PoW response');
    socket.destroy();
    await assert.rejects(reading, { code: 'CCN_ERR_SESSION_CLOSED', message: 'connection closed while waiting for the PoW response (0/8 bytes)' });
  });

  test('a socket error is SESSION_CLOSED carrying the error as its cause', async () => {
    const socket = fakeSocket();
    const reading = readExactly(socket, 8, 'PoW response');
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    socket.destroy(reset);
    await assert.rejects(reading, (error: unknown) => {
      const cocoon = error as { code: string; message: string; cause: unknown };
      return cocoon.code === 'CCN_ERR_SESSION_CLOSED' && cocoon.message === 'connection failed while waiting for the PoW response: read ECONNRESET' && cocoon.cause === reset;
    });
  });
});
