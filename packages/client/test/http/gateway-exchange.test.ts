/**
 * GatewayExchange on a real node:http server with injected timers: the timer aborts with
 * CCN_ERR_TIMEOUT (504 before the headers, a final SSE error event after them, a plain body cut),
 * the app leaving aborts with CCN_ERR_CANCELLED, the shutdown drain with CCN_ERR_HTTP_SHUTTING_DOWN;
 * a relay waiting for 'drain' gives up on abort, and credit (AnswerBodyQueue) follows the app's
 * reading; bounded body reads; release stops everything.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CocoonError, isCocoonError } from '@cocoon/protocol';
import { GatewayExchange } from '../../src/http/gateway-exchange.ts';
import type { ExchangeTimers, ExchangeTracker } from '../../src/http/gateway-exchange.ts';
import { HttpShutdownDrain } from '../../src/http/http-shutdown-drain.ts';
import { AnswerBodyQueue } from '../../src/gateway/answer-body-queue.ts';
import type { GatewayAnswer } from '../../src/http/index.ts';
import { ChunkChannel, abortReason, chunksOf } from './fake-inference-gateway.ts';
import { nextChunk, openRequest, readAll } from './http-test-client.ts';
import type { ClientRequest } from 'node:http';

const BOUNDED = { timeout: 10_000 };
const SSE_HEAD = ['content-type', 'text/event-stream'];
const JSON_HEAD = ['content-type', 'application/json'];
const TIMEOUT_BODY = { error: { message: 'request timed out after 1.5 s', type: 'timeout', code: 'CCN_ERR_TIMEOUT', param: null } };

/** Timers the test fires by hand. */
class ManualTimers implements ExchangeTimers {
  readonly pending = new Map<number, { callback: () => void; ms: number }>();
  private nextId = 1;
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { callback, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const timer of due) timer.callback();
  }
}

function codeOf(reason: unknown): string | undefined {
  return isCocoonError(reason) ? reason.code : undefined;
}

/** Polls `condition` until it holds, failing after a bounded deadline. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`not reached: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function closedOf(message: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    message.on('error', () => undefined);
    if (message.destroyed) resolve();
    else message.once('close', () => resolve());
  });
}

interface Scene {
  exchange: GatewayExchange;
  response: ServerResponse;
  timers: ManualTimers;
  untracked: () => number;
  client: { request: ClientRequest; response: Promise<IncomingMessage> };
}

describe('GatewayExchange', () => {
  let server: Server;
  let url: string;
  let onRequest: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
  before(async () => {
    server = createServer((request, response) => {
      request.resume();
      response.on('error', () => undefined);
      onRequest(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  /** Opens a request and builds an exchange of 1500 ms on its response. */
  async function scene(track?: ExchangeTracker): Promise<Scene> {
    const timers = new ManualTimers();
    let untracks = 0;
    const arrived = new Promise<ServerResponse>((resolve) => (onRequest = (_request, response) => resolve(response)));
    const client = openRequest(url, { body: '{}' });
    client.response.catch(() => undefined);
    const response = await arrived;
    const exchange = new GatewayExchange({ response, timeoutMs: 1500, timers, track: track ?? (() => () => (untracks += 1)) });
    return { exchange, response, timers, untracked: () => untracks, client };
  }

  test('the timer firing before the answer aborts with CCN_ERR_TIMEOUT, answers 504 JSON and gives the late answer up', BOUNDED, async () => {
    const { exchange, timers, client } = await scene();
    assert.deepEqual([...timers.pending.values()].map((timer) => timer.ms), [1500]);
    let answer!: (value: GatewayAnswer) => void;
    const running = new Promise<GatewayAnswer>((resolve) => (answer = resolve));
    const waiting = exchange.awaitAnswer(running).catch((error: unknown) => {
      exchange.fail(error);
      return codeOf(error);
    });
    timers.fireAll();
    assert.equal(await waiting, 'CCN_ERR_TIMEOUT');
    assert.equal(codeOf(exchange.signal.reason), 'CCN_ERR_TIMEOUT');
    const head = await client.response;
    assert.equal(head.statusCode, 504);
    assert.deepEqual(JSON.parse(await readAll(head)), TIMEOUT_BODY);
    const late = new ChunkChannel();
    answer({ status: 200, headers: {}, body: late });
    await waitFor(() => late.returned, 'the late answer body given up');
  });

  test('the timer firing mid-stream ends an SSE answer with a final error event and gives the body up', BOUNDED, async () => {
    const { exchange, timers, client } = await scene();
    const body = new ChunkChannel();
    exchange.writeHead(200, SSE_HEAD);
    const relaying = exchange.relay(body);
    body.push('data: {"n":1}\n\n');
    const head = await client.response;
    assert.equal(await nextChunk(head), 'data: {"n":1}\n\n');
    timers.fireAll();
    assert.equal(await readAll(head), `data: ${JSON.stringify(TIMEOUT_BODY)}\n\n`);
    assert.equal(head.complete, true, 'ended cleanly');
    await relaying;
    assert.equal(body.returned, true);
  });

  test('a plain body under way is cut when the timer fires', BOUNDED, async () => {
    const { exchange, timers, client } = await scene();
    const body = new ChunkChannel();
    exchange.writeHead(200, JSON_HEAD);
    const relaying = exchange.relay(body);
    body.push('{"partial":');
    const head = await client.response;
    assert.equal(await nextChunk(head), '{"partial":');
    const closed = closedOf(head);
    head.resume();
    timers.fireAll();
    await relaying;
    await closed;
    assert.equal(head.complete, false, 'not ended as if it were whole');
    assert.equal(body.returned, true);
  });

  test('the app disconnecting aborts the gateway signal with CCN_ERR_CANCELLED and gives the body up', BOUNDED, async () => {
    const { exchange, client, response } = await scene();
    const body = new ChunkChannel();
    exchange.writeHead(200, SSE_HEAD);
    const relaying = exchange.relay(body);
    body.push('data: 1\n\n');
    const head = await client.response;
    assert.equal(await nextChunk(head), 'data: 1\n\n');
    head.on('error', () => undefined);
    client.request.destroy();
    assert.equal(codeOf(await abortReason(exchange.signal)), 'CCN_ERR_CANCELLED');
    await relaying;
    assert.equal(body.returned, true);
    assert.equal(response.destroyed, true);
  });

  test("a failing body after SSE headers ends with its error event and aborts the signal with it; before the headers it is answered as JSON", BOUNDED, async () => {
    const streamed = await scene();
    const body = new ChunkChannel();
    streamed.exchange.writeHead(200, SSE_HEAD);
    const relaying = streamed.exchange.relay(body);
    const failure = new CocoonError('CCN_ERR_ENGINE_FAILED', 'the engine broke');
    body.fail(failure);
    const head = await streamed.client.response;
    assert.equal(await readAll(head), 'data: {"error":{"message":"the engine broke","type":"server_error","code":"CCN_ERR_ENGINE_FAILED","param":null}}\n\n');
    await relaying;
    assert.equal(streamed.exchange.signal.reason, failure);

    const early = await scene();
    early.exchange.fail(new CocoonError('CCN_ERR_ROUTE_NO_WORKER', 'no worker for m'));
    const refused = await early.client.response;
    assert.equal(refused.statusCode, 503);
    assert.equal((JSON.parse(await readAll(refused)) as { error: { code: string } }).error.code, 'CCN_ERR_ROUTE_NO_WORKER');
  });

  test('a relay waiting for drain gives up when the exchange is aborted; no credit for the unread chunk', BOUNDED, async () => {
    const { exchange, timers, client, response } = await scene();
    const consumed: number[] = [];
    let holds = 0;
    const queue = new AnswerBodyQueue({ onConsumed: (bytes) => consumed.push(bytes), maxQueuedBytes: 1024, hold: () => { holds += 1; return () => { holds -= 1; }; } });
    exchange.writeHead(200, SSE_HEAD);
    const relaying = exchange.relay(queue);
    queue.push(Buffer.alloc(32 * 1024 * 1024, 0x61)); // more than loopback buffers take from an app that does not read
    queue.push(Buffer.from('data: next\n\n'));
    await client.response; // not read: the write cannot drain
    await waitFor(() => response.writableNeedDrain, 'the relay waits for drain');
    assert.equal(holds, 1, 'the queue is over its limit');
    timers.fireAll();
    await relaying;
    assert.equal(codeOf(exchange.signal.reason), 'CCN_ERR_TIMEOUT');
    assert.deepEqual(consumed, [], 'the chunk waiting for drain was never granted');
    await waitFor(() => holds === 0, 'the given-up body released its hold');
    client.request.destroy();
  });

  test("credit follows the app's reading: the next chunk is pulled once the previous write drained", BOUNDED, async () => {
    const { exchange, client, response } = await scene();
    const consumed: number[] = [];
    const queue = new AnswerBodyQueue({ onConsumed: (bytes) => consumed.push(bytes) });
    const big = 32 * 1024 * 1024;
    exchange.writeHead(200, SSE_HEAD);
    const relaying = exchange.relay(queue);
    queue.push(Buffer.alloc(big, 0x61));
    const head = await client.response;
    await waitFor(() => response.writableNeedDrain, 'the relay waits for drain');
    assert.deepEqual(consumed, []);
    let received = 0;
    head.on('data', (chunk: Buffer) => (received += chunk.length));
    await waitFor(() => consumed.length === 1, 'credit after the drain');
    assert.deepEqual(consumed, [big]);
    queue.push(Buffer.from('data: [DONE]\n\n'));
    queue.end();
    await relaying;
    await new Promise<void>((resolve) => (head.readableEnded ? resolve() : head.once('end', resolve)));
    assert.equal(received, big + 'data: [DONE]\n\n'.length);
    assert.deepEqual(consumed, [big, 'data: [DONE]\n\n'.length]);
  });

  test('collect reads a bounded body, refuses an oversized one and gives up on abort', BOUNDED, async () => {
    const { exchange, timers, client } = await scene();
    assert.equal((await exchange.collect(chunksOf('ab', 'cd'), 4)).toString('utf8'), 'abcd');
    const oversized = new ChunkChannel();
    oversized.push('abc');
    oversized.push('de');
    await assert.rejects(exchange.collect(oversized, 4), (error: unknown) => codeOf(error) === 'CCN_ERR_ENGINE_FAILED' && /larger than 4 bytes/.test((error as Error).message));
    assert.equal(oversized.returned, true);
    const pending = new ChunkChannel();
    const collecting = exchange.collect(pending, 1024);
    timers.fireAll();
    await assert.rejects(collecting, (error: unknown) => codeOf(error) === 'CCN_ERR_TIMEOUT');
    await waitFor(() => pending.returned, 'the body given up');
    await assert.rejects(exchange.collect(chunksOf('x'), 4), (error: unknown) => codeOf(error) === 'CCN_ERR_TIMEOUT', 'an aborted exchange reads nothing');
    client.request.destroy();
  });

  test('release stops the timer, the disconnect watch and the drain tracking, once', BOUNDED, async () => {
    const { exchange, timers, client, untracked } = await scene();
    exchange.release();
    exchange.release();
    assert.equal(timers.pending.size, 0);
    assert.equal(untracked(), 1);
    const head = await new Promise<void>((resolve) => {
      client.request.on('close', () => resolve());
      client.request.destroy();
    });
    assert.equal(head, undefined);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(exchange.signal.aborted, false, 'the app leaving after release aborts nothing');
  });

  test('a controller the drain aborts at once (deadline passed) ends the wait for the answer at once', BOUNDED, async () => {
    const shuttingDown = new CocoonError('CCN_ERR_HTTP_SHUTTING_DOWN', 'the client is shutting down');
    const { exchange, client } = await scene((controller) => {
      controller.abort(shuttingDown);
      return () => undefined;
    });
    await assert.rejects(exchange.awaitAnswer(new Promise(() => undefined)), (error: unknown) => error === shuttingDown);
    exchange.fail(shuttingDown);
    exchange.release();
    assert.equal((await client.response).statusCode, 503);
  });
});

test('past the HttpShutdownDrain deadline a tracked SSE exchange ends with the shutdown event', BOUNDED, async () => {
  let exchange: GatewayExchange | undefined;
  const body = new ChunkChannel();
  const server = createServer({ keepAlive: true }, (request, response) => {
    if (!drain.admit(request, response)) return;
    request.resume();
    exchange = new GatewayExchange({ response, timeoutMs: 60_000, track: drain.track });
    exchange.writeHead(200, SSE_HEAD);
    void exchange.relay(body).finally(() => exchange?.release());
  });
  const drain = new HttpShutdownDrain(server, 0);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { response } = openRequest(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { body: '{}' });
  body.push('data: 1\n\n');
  const head = await response;
  assert.equal(await nextChunk(head), 'data: 1\n\n');
  const closing = drain.close();
  assert.equal(await readAll(head), 'data: {"error":{"message":"the client is shutting down","type":"service_unavailable","code":"CCN_ERR_HTTP_SHUTTING_DOWN","param":null}}\n\n');
  assert.equal(head.complete, true);
  assert.equal(codeOf(exchange?.signal.reason), 'CCN_ERR_HTTP_SHUTTING_DOWN');
  await closing;
  assert.equal(body.returned, true);
});
