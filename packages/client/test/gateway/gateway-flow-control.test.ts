/**
 * The protocol gateway's extensions (§19) with a proxy-connection double: an aborted request is
 * cancelled at the proxy (only where negotiated, never after its end), the answer body grants
 * credit in batches as the HTTP edge takes it, and a proxy without credit that overfills the body
 * queue has its session's reading held until the edge catches up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEV_NETWORK_PARAMS, StaticNetworkParamsSource, encodeHttpResponse, extensionsOfAlpn } from '@cocoon/protocol';
import type { SessionExtension, TlObject } from '@cocoon/protocol';
import { ProtocolInferenceGateway, CLIENT_GRANT_BATCH_BYTES } from '../../src/gateway/protocol-inference-gateway.ts';
import { AnswerBodyQueue } from '../../src/gateway/answer-body-queue.ts';
import { ClientStats } from '../../src/client-stats.ts';
import type { AnswerListener, ClientProxyConnection, RunningQueryLink } from '../../src/connection/client-proxy-connection.ts';
import type { GatewayRequest } from '../../src/http/index.ts';

class LinkDouble implements RunningQueryLink {
  cancels = 0;
  grants: number[] = [];
  holds = 0;
  constructor(readonly extensions: ReadonlySet<SessionExtension>) {}
  cancel() { this.cancels += 1; }
  grantCredit(bytes: number) { this.grants.push(bytes); }
  holdReading() {
    this.holds += 1;
    return () => { this.holds -= 1; };
  }
}

class ConnectionDouble {
  isReady = true;
  listener: AnswerListener | undefined;
  constructor(readonly link: LinkDouble) {}
  runQuery(_query: TlObject, listener: AnswerListener) { this.listener = listener; return this.link; }
  forget() {}
}

function run(extensions: ReadonlySet<SessionExtension>, signal: AbortSignal) {
  const connection = new ConnectionDouble(new LinkDouble(extensions));
  const gateway = new ProtocolInferenceGateway({ connections: [connection as unknown as ClientProxyConnection], params: new StaticNetworkParamsSource(DEV_NETWORK_PARAMS), stats: new ClientStats(Date.now) });
  const request: GatewayRequest = { path: '/v1/chat/completions', method: 'POST', headers: {}, body: Buffer.from('{"model":"m"}'), model: 'm', maxCoefficient: 4000, maxTokens: 1000, timeoutMs: 120_000, enableDebug: false, signal };
  return { answer: gateway.run(request), connection };
}

const first = (requestId: Buffer, flags = 0): TlObject => ({
  _: 'client.queryAnswerEx', request_id: requestId, flags,
  answer: encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [['Content-Type', 'text/event-stream']], payload: Buffer.alloc(0) }),
});
const part = (bytes: number): TlObject => ({ _: 'client.queryAnswerPartEx', request_id: Buffer.alloc(32), answer: Buffer.alloc(bytes, 0x61), flags: 0 });

test('an abort sends one cancel while the request runs, none after it ended', async () => {
  const controller = new AbortController();
  const { answer, connection } = run(extensionsOfAlpn('cocoon-ext-1'), controller.signal);
  connection.listener!.onAnswerMessage(first(Buffer.alloc(32)));
  await answer;
  controller.abort();
  assert.equal(connection.link.cancels, 1);

  const finished = new AbortController();
  const done = run(extensionsOfAlpn('cocoon-ext-1'), finished.signal);
  done.connection.listener!.onAnswerMessage(first(Buffer.alloc(32), 1));
  await done.answer;
  finished.abort();
  assert.equal(done.connection.link.cancels, 0);
});

test('the body grants credit in batches as the edge takes it', async () => {
  const { answer, connection } = run(extensionsOfAlpn('cocoon-ext-1'), new AbortController().signal);
  connection.listener!.onAnswerMessage(first(Buffer.alloc(32)));
  const { body } = await answer;
  const size = 16 * 1024;
  for (let index = 0; index < 10; index++) connection.listener!.onAnswerMessage(part(size));
  const iterator = body[Symbol.asyncIterator]();
  await iterator.next();
  await iterator.next();
  await iterator.next();
  assert.deepEqual(connection.link.grants, [], 'two chunks taken (32 KiB): below one batch');
  for (let index = 0; index < 7; index++) await iterator.next();
  // Nine chunks written (the tenth only once the edge asks again): two full batches granted.
  assert.deepEqual(connection.link.grants, [CLIENT_GRANT_BATCH_BYTES, CLIENT_GRANT_BATCH_BYTES]);
});

test('an overfilled queue holds the proxy session until half has been taken', async () => {
  let holds = 0;
  const queue = new AnswerBodyQueue({ maxQueuedBytes: 100, hold: () => { holds += 1; return () => { holds -= 1; }; } });
  for (let index = 0; index < 12; index++) queue.push(Buffer.alloc(10));
  assert.equal(holds, 1);
  const iterator = queue[Symbol.asyncIterator]();
  for (let index = 0; index < 7; index++) await iterator.next();
  assert.equal(holds, 1, '60 bytes still queued');
  await iterator.next();
  assert.equal(holds, 0, '50 bytes left: released');
  queue.end();
});
