/**
 * HttpShutdownDrain on a plain node:http server the test can observe: a request that arrives
 * during the drain (pipelined behind an answer in flight) gets 503 CCN_ERR_HTTP_SHUTTING_DOWN with
 * `connection: close` after that answer, never reaches the handler, and the connection is closed;
 * controllers tracked past the deadline are aborted at once.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isCocoonError } from '@cocoon/protocol';
import { HttpShutdownDrain } from '../../src/http/http-shutdown-drain.ts';
import { RawHttpConnection, answerWithStatus } from './raw-http-connection.ts';

const BOUNDED = { timeout: 10_000 };

interface DrainedServer {
  server: Server;
  drain: HttpShutdownDrain;
  url: string;
  handled: string[];
  /** Ends the streamed answer of `/stream`. */
  finishStream: () => void;
  /** Resolves once the server has parsed `count` requests (admitted or not). */
  requestsParsed: (count: number) => Promise<void>;
}

async function startDrainedServer(drainMs: number): Promise<DrainedServer> {
  const handled: string[] = [];
  let streaming: ServerResponse | undefined;
  const server = createServer({ keepAlive: true }, (request: IncomingMessage, response: ServerResponse) => {
    if (!drain.admit(request, response)) return;
    handled.push(request.url ?? '');
    request.resume();
    streaming = response;
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: 1\n\n');
  });
  const drain = new HttpShutdownDrain(server, drainMs);
  let parsed = 0;
  const parsedWaiters: Array<() => void> = [];
  server.on('request', () => {
    parsed += 1;
    for (const waiter of parsedWaiters.splice(0)) waiter();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const requestsParsed = async (count: number): Promise<void> => {
    while (parsed < count) await new Promise<void>((resolve) => parsedWaiters.push(resolve));
  };
  return {
    server, drain, handled, requestsParsed,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    finishStream: () => streaming?.end('data: done\n\n'),
  };
}

describe('HttpShutdownDrain', () => {
  test('a request arriving during the drain gets 503 with connection: close after the answer in flight', BOUNDED, async () => {
    const context = await startDrainedServer(10_000);
    const connection = await RawHttpConnection.open(context.url);
    connection.write('GET /stream HTTP/1.1\r\nhost: a\r\n\r\n');
    await connection.until((received) => received.includes('data: 1'));

    let closed = false;
    const closing = context.drain.close().then(() => (closed = true));
    connection.write('POST /late HTTP/1.1\r\nhost: a\r\ncontent-length: 2\r\n\r\n{}');
    await context.requestsParsed(2);
    assert.equal(closed, false, 'still draining the stream');
    context.finishStream();
    const text = await connection.until((received) => answerWithStatus(received, 503) !== undefined);
    assert.match(text, /data: done\n\n\r\n0\r\n\r\nHTTP\/1\.1 503 /, 'the stream ended cleanly, then the refusal');
    const refusal = answerWithStatus(text, 503)!;
    assert.match(refusal.head, /\r\nconnection: close(\r\n|$)/);
    assert.deepEqual(JSON.parse(refusal.body), { error: { message: 'the client is shutting down', type: 'service_unavailable', code: 'CCN_ERR_HTTP_SHUTTING_DOWN', param: null } });
    await connection.ended;
    await closing;
    assert.deepEqual(context.handled, ['/stream']);
  });

  test('after the deadline a newly tracked controller is aborted at once with CCN_ERR_HTTP_SHUTTING_DOWN', BOUNDED, async () => {
    const context = await startDrainedServer(20);
    const connection = await RawHttpConnection.open(context.url);
    connection.write('GET /stream HTTP/1.1\r\nhost: a\r\n\r\n');
    await connection.until((received) => received.includes('data: 1'));
    const early = new AbortController();
    context.drain.track(early);
    const closing = context.drain.close();
    await new Promise<void>((resolve) => early.signal.addEventListener('abort', () => resolve(), { once: true }));
    assert.equal(isCocoonError(early.signal.reason) ? early.signal.reason.code : undefined, 'CCN_ERR_HTTP_SHUTTING_DOWN');
    const late = new AbortController();
    context.drain.track(late)();
    assert.equal(late.signal.aborted, true);
    context.finishStream(); // this handler does not watch its controller: it answers on its own
    await closing;
    connection.close();
  });
});
