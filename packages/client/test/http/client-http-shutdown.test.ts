/**
 * Closing the HTTP edge drains instead of resetting: answers in flight finish (or, past the drain
 * deadline, end with an answer: a 503 before the headers, a final SSE error event after them),
 * idle keep-alive connections are closed and new connections refused at once, and close()
 * resolves. (New requests during the drain: http-shutdown-drain.test.ts.)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { isCocoonError } from '@cocoon/protocol';
import { ChunkChannel, abortReason } from './fake-inference-gateway.ts';
import { nextChunk, openRequest, readAll, send } from './http-test-client.ts';
import { RawHttpConnection, answerWithStatus, postRequest } from './raw-http-connection.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const CHAT = '/v1/chat/completions';
const BOUNDED = { timeout: 10_000 };
const SHUTDOWN_EVENT = 'data: {"error":{"message":"the client is shutting down","type":"service_unavailable","code":"CCN_ERR_HTTP_SHUTTING_DOWN","param":null}}\n\n';
const streamBody = { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true };

/** A server whose gateway streams from a channel the test feeds. */
async function streamingServer(shutdownDrainMs?: number): Promise<{ context: TestServer; channel: ChunkChannel }> {
  const context = await startTestServer(shutdownDrainMs === undefined ? {} : { shutdownDrainMs });
  const channel = new ChunkChannel();
  context.gateway.script = async () => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: channel });
  return { context, channel };
}

function refusedConnection(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('client HTTP server shutdown drain', () => {
  test('a streamed answer in progress completes during the drain; new connections are refused; close() resolves', BOUNDED, async () => {
    const { context, channel } = await streamingServer();
    const { response } = openRequest(`${context.url}${CHAT}`, { body: streamBody });
    channel.push('data: {"n":1}\n\n');
    const head = await response;
    assert.equal(await nextChunk(head), 'data: {"n":1}\n\n');
    let failed: unknown;
    head.on('error', (error) => (failed = error));
    head.on('aborted', () => (failed = new Error('aborted')));

    let closed = false;
    const closing = context.server.close().then(() => (closed = true));
    assert.equal(await refusedConnection(context.url), 'ECONNREFUSED');
    channel.push('data: {"n":2}\n\n');
    channel.push('data: [DONE]\n\n');
    channel.end();
    assert.equal(await readAll(head), 'data: {"n":2}\n\ndata: [DONE]\n\n');
    await closing;
    assert.equal(closed, true);
    assert.equal(failed, undefined, 'the stream was not reset');
    assert.equal(head.complete, true);
    assert.equal(context.gateway.lastRequest.signal.aborted, false);
  });

  test('past the deadline an SSE stream gets the shutdown error event and ends cleanly; the gateway call is aborted', BOUNDED, async () => {
    const { context, channel } = await streamingServer(30);
    const { response } = openRequest(`${context.url}${CHAT}`, { body: streamBody });
    channel.push('data: {"n":1}\n\n');
    const head = await response;
    assert.equal(await nextChunk(head), 'data: {"n":1}\n\n');
    let failed: unknown;
    head.on('error', (error) => (failed = error));

    const closing = context.server.close();
    assert.equal(await readAll(head), SHUTDOWN_EVENT);
    assert.equal(head.complete, true, 'ended with the final chunk, not cut');
    assert.equal(failed, undefined);
    const reason = await abortReason(context.gateway.lastRequest.signal);
    assert.equal(isCocoonError(reason) ? reason.code : undefined, 'CCN_ERR_HTTP_SHUTTING_DOWN');
    await closing;
    assert.equal(channel.returned, true, 'the answer body was given up');
  });

  test('past the deadline an answer not yet started is a 503 JSON error with connection: close', BOUNDED, async () => {
    const context = await startTestServer({ shutdownDrainMs: 30 });
    const arrived = context.gateway.nextRequest();
    context.gateway.script = () => new Promise(() => undefined); // never answers
    const answer = send(`${context.url}${CHAT}`, { body: { model: 'm', messages: [] } });
    await arrived;
    const closing = context.server.close();
    const refused = await answer;
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['connection'], 'close');
    assert.deepEqual(refused.json(), { error: { message: 'the client is shutting down', type: 'service_unavailable', code: 'CCN_ERR_HTTP_SHUTTING_DOWN', param: null } });
    await closing;
  });

  test('idle keep-alive connections are closed at once while a stream drains; the busy one once its answer is done', BOUNDED, async () => {
    const { context, channel } = await streamingServer();
    const idle = await RawHttpConnection.open(context.url);
    idle.write('GET /v1/models HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    await idle.until((received) => answerWithStatus(received, 200) !== undefined);
    const busy = await RawHttpConnection.open(context.url);
    busy.write(postRequest(CHAT, JSON.stringify(streamBody)));
    channel.push('data: {"n":1}\n\n');
    await busy.until((received) => received.includes('data: {"n":1}'));

    const closing = context.server.close();
    await idle.ended; // while the stream is still running
    assert.equal(busy.socket.destroyed, false);
    channel.push('data: [DONE]\n\n');
    channel.end();
    await busy.until((received) => received.endsWith('data: [DONE]\n\n\r\n0\r\n\r\n'));
    await busy.ended;
    await closing;
  });

  test('close() with nothing in flight resolves and is idempotent', BOUNDED, async () => {
    const context = await startTestServer();
    await Promise.all([context.server.close(), context.server.close()]);
    assert.equal(await refusedConnection(context.url), 'ECONNREFUSED');
  });
});
