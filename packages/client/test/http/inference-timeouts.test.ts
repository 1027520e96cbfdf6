/**
 * HTTP edge timers and cancellation: the per-request timer answers 504 before the headers and
 * ends a stream after them; an app that disconnects aborts the gateway's signal.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isCocoonError } from '@cocoon/protocol';
import { ChunkChannel, abortReason } from './fake-inference-gateway.ts';
import { nextChunk, openRequest, readAll, send } from './http-test-client.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const messages = [{ role: 'user', content: 'hi' }];

function codeOf(reason: unknown): string | undefined {
  return isCocoonError(reason) ? reason.code : undefined;
}

describe('inference timers and cancellation', () => {
  let context: TestServer;
  let chatUrl: string;
  before(async () => {
    context = await startTestServer();
    chatUrl = `${context.url}/v1/chat/completions`;
  });
  after(() => context.server.close());

  test('the timer firing before any answer gives 504 and aborts the gateway', async () => {
    let reason: Promise<unknown> = Promise.resolve(undefined);
    context.gateway.script = (request) => {
      reason = abortReason(request.signal);
      return new Promise(() => undefined); // a gateway that never answers
    };
    const answer = await send(chatUrl, { body: { model: 'm', messages, timeout: 0.05 } });
    assert.equal(answer.status, 504);
    assert.deepEqual(answer.json(), { error: { message: 'request timed out after 0.05 s', type: 'timeout', code: 'CCN_ERR_TIMEOUT', param: null } });
    assert.equal(codeOf(await reason), 'CCN_ERR_TIMEOUT');
  });

  test('the timer firing mid-stream ends the SSE stream with an error event', async () => {
    const channel = new ChunkChannel();
    context.gateway.script = async () => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: channel });
    const { response } = openRequest(chatUrl, { body: { model: 'm', messages, stream: true, timeout: 0.2 } });
    channel.push('data: {"n":1}\n\n');
    const head = await response;
    assert.equal(head.statusCode, 200);
    assert.equal(await nextChunk(head), 'data: {"n":1}\n\n');
    const rest = await readAll(head);
    assert.equal(rest, 'data: {"error":{"message":"request timed out after 0.2 s","type":"timeout","code":"CCN_ERR_TIMEOUT","param":null}}\n\n');
    assert.equal(codeOf(context.gateway.lastRequest.signal.reason), 'CCN_ERR_TIMEOUT');
    await waitFor(() => channel.returned);
  });

  test('an app disconnecting before the answer aborts the signal', async () => {
    const arrived = context.gateway.nextRequest();
    context.gateway.script = () => new Promise(() => undefined);
    const { request, response } = openRequest(chatUrl, { body: { model: 'm', messages } });
    response.catch(() => undefined);
    const forwarded = await arrived;
    assert.equal(forwarded.signal.aborted, false);
    request.destroy();
    assert.equal(codeOf(await abortReason(forwarded.signal)), 'CCN_ERR_CANCELLED');
  });

  test('an app disconnecting mid-stream aborts the signal and closes the body', async () => {
    const channel = new ChunkChannel();
    context.gateway.script = async () => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: channel });
    const { request, response } = openRequest(chatUrl, { body: { model: 'm', messages, stream: true } });
    channel.push('data: {"n":1}\n\n');
    const head = await response;
    assert.equal(await nextChunk(head), 'data: {"n":1}\n\n');
    head.on('error', () => undefined);
    request.destroy();
    assert.equal(codeOf(await abortReason(context.gateway.lastRequest.signal)), 'CCN_ERR_CANCELLED');
    await waitFor(() => channel.returned);
  });

  test('the server still answers after all of the above', async () => {
    context.gateway.script = async () => ({ status: 200, headers: {}, body: (async function* () { yield Buffer.from('{}'); })() });
    const answer = await send(chatUrl, { body: { model: 'm', messages } });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/json');
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(condition(), 'condition not reached');
}
