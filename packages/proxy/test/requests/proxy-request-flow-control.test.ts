/**
 * A proxy request's extensions and bounds (§19) with worker-link and client doubles: a client
 * cancel (or the client leaving) is forwarded as ext.cancelQuery to a worker that negotiated it and
 * never to a reference worker, the worker's report is billed and the reservation freed; client
 * credit holds parts back and grants flow on to the worker; a credit-less worker's connection is
 * paused once a request holds too much; a stalled ledger write ends in CCN_ERR_TIMEOUT in time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INITIAL_ANSWER_CREDIT_BYTES, WireErrorCode, createLogger, encodeHttpResponse, extensionsOfAlpn } from '@cocoon/protocol';
import type { SessionExtension, TlObject } from '@cocoon/protocol';
import { ProxyRequest } from '../../src/requests/proxy-request.ts';
import type { ProxyAccounting, ProxyRequestContext, ProxyRequestSink, WorkerLink } from '../../src/requests/proxy-request-context.ts';
import { RetryPolicy, WorkerRegistry } from '../../src/routing/index.ts';
import { ClientAccount, CompletionAccounting } from '../../src/billing/index.ts';
import { InMemoryLedger } from '../../src/ledger/index.ts';

const ALL = extensionsOfAlpn('cocoon-ext-1');
const NONE: ReadonlySet<SessionExtension> = new Set();

class FakeWorkerLink implements WorkerLink {
  sent: TlObject[] = [];
  holds = 0;
  constructor(readonly extensions: ReadonlySet<SessionExtension>) {}
  attach() {}
  detach() {}
  send(message: TlObject) { this.sent.push(message); }
  signedPayment(): TlObject { return { _: 'proxy.signedPaymentEmpty' }; }
  sendPayment() {}
  holdReading() {
    this.holds += 1;
    return () => { this.holds -= 1; };
  }
}

function setup(options: { worker?: ReadonlySet<SessionExtension>; client?: ReadonlySet<SessionExtension>; accounting?: ProxyAccounting } = {}) {
  const registry = new WorkerRegistry({ now: Date.now });
  registry.register({ id: 'w1', ownerAddress: 'owner-w1', modelBaseName: 'm', modelFullName: 'm@r:h', coefficient: 1000, maxActiveRequests: 5, enabled: true });
  const link = new FakeWorkerLink(options.worker ?? ALL);
  const ledger = new InMemoryLedger();
  const completion = new CompletionAccounting({ ledger, prices: () => ({ pricePerToken: 20n, workerFeePerToken: 19n }) });
  const context: ProxyRequestContext = {
    registry, workerLinks: new Map<string, WorkerLink>([['w1', link]]), logger: createLogger('proxy', { level: 'error' }), now: Date.now, configVersion: 0,
    retryPolicy: new RetryPolicy({ maxAttempts: 3 }),
    accounting: options.accounting ?? {
      async finish(request) {
        const entry = await completion.finish(request);
        return { client: await ledger.clientTotals(entry.clientOwner), worker: await ledger.workerTotals(entry.workerOwner) };
      },
    },
    stats: { rejected: () => undefined, retried: () => undefined, finished: () => undefined },
  };
  const account = new ClientAccount({ ownerAddress: 'client', state: { status: 'active', balanceNanoton: 10n ** 12n, stakeNanoton: 10n ** 11n, chargedTokens: 0n }, pricePerToken: () => 20n });
  const toClient: TlObject[] = [];
  const sink: ProxyRequestSink & { writable: boolean } = {
    clientOwner: 'client', account, detached: false, extensions: options.client ?? NONE, writable: true,
    send: (message) => toClient.push(message),
    sendPayment: () => undefined,
  };
  return { context, sink, link, ledger, account, toClient };
}

function start(s: ReturnType<typeof setup>, timeoutSeconds = 10): ProxyRequest {
  const request = new ProxyRequest(s.context, s.sink, {
    modelName: 'm', query: Buffer.alloc(100), maxCoefficient: 4000, maxTokens: 100, timeoutSeconds, clientRequestId: Buffer.alloc(32, 1), enableDebug: false,
  });
  request.start();
  return request;
}

const tokens = (total: bigint): TlObject => ({ _: 'tokensUsed', prompt_tokens_used: 0n, cached_tokens_used: 0n, completion_tokens_used: total, reasoning_tokens_used: 0n, total_tokens_used: total });
const finalInfo = (total: bigint): TlObject => ({ _: 'proxy.queryFinalInfo', flags: 2, tokens_used: tokens(total), worker_start_time: 1, worker_end_time: 2 });
const answer = (request: ProxyRequest): TlObject => ({
  _: 'proxy.queryAnswerEx', request_id: request.workerRequestId, flags: 0,
  answer: encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [], payload: Buffer.alloc(0) }),
});
const part = (request: ProxyRequest, bytes: number, final?: bigint): TlObject => ({
  _: 'proxy.queryAnswerPartEx', request_id: request.workerRequestId, answer: Buffer.alloc(bytes, 0x61), flags: final === undefined ? 0 : 1,
  ...(final === undefined ? {} : { final_info: finalInfo(final) }),
});
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a client cancel reaches a worker that negotiated it; its report is billed and the reservation freed', async () => {
  const s = setup();
  const request = start(s);
  request.onWorkerMessage(answer(request));
  request.onWorkerMessage(part(request, 10));
  assert.ok(s.account.reservedTokens > 0n);
  request.cancel('the client cancelled it');
  const cancel = s.link.sent.find((message) => message._ === 'ext.cancelQuery');
  assert.ok(cancel, 'forwarded to the worker');
  assert.deepEqual(cancel.request_id, request.workerRequestId, 'under the worker-side request id');
  request.onWorkerMessage(part(request, 10)); // in flight before the worker stopped: not relayed
  request.onWorkerMessage({ _: 'proxy.queryAnswerErrorEx', request_id: request.workerRequestId, error_code: WireErrorCode.cancelled, error: 'cancelled', flags: 1, final_info: finalInfo(5n) });
  await settle();
  assert.equal(s.link.sent.filter((message) => message._ === 'proxy.runQueryEx').length, 1, 'a cancelled request is never retried');
  assert.equal((await s.ledger.summary()).clientPaidNanoton, 5n * 20n, 'billed what the worker generated');
  assert.equal(s.account.reservedTokens, 0n);
  assert.deepEqual(s.toClient.map((message) => message._), ['client.queryAnswerEx', 'client.queryAnswerPartEx'], 'nothing after the cancel');
});

test('a reference worker never receives ext.cancelQuery: it runs to its end and is billed in full', async () => {
  const s = setup({ worker: NONE });
  const request = start(s);
  request.onWorkerMessage(answer(request));
  request.onClientGone();
  request.onWorkerMessage(part(request, 10, 40n));
  await settle();
  assert.deepEqual(s.link.sent.map((message) => message._), ['proxy.runQueryEx']);
  assert.equal((await s.ledger.summary()).clientPaidNanoton, 40n * 20n);
});

test('a cancel waits for the worker to report; a second cancel or one after the end changes nothing', async () => {
  const s = setup({ worker: NONE });
  const request = start(s);
  let done = 0;
  request.onDone(() => { done += 1; });
  request.cancel('the client cancelled it');
  request.cancel('again');
  assert.equal(done, 0, 'a worker has it: its report is awaited');
  request.onWorkerMessage(answer(request));
  request.onWorkerMessage(part(request, 10, 3n));
  request.cancel('late');
  await settle();
  assert.equal(done, 1);
  assert.equal(s.toClient.length, 0, 'nothing is relayed to a client that cancelled');
  assert.equal(s.account.reservedTokens, 0n);
});

test('client credit holds parts back; what leaves is granted to the worker in batches', () => {
  const s = setup({ client: ALL });
  const request = start(s);
  request.onWorkerMessage(answer(request));
  const size = 256 * 1024;
  for (let index = 0; index < 8; index++) request.onWorkerMessage(part(request, size));
  const relayed = s.toClient.filter((message) => message._ === 'client.queryAnswerPartEx').length;
  assert.equal(relayed, INITIAL_ANSWER_CREDIT_BYTES / size, 'only the initial window went out');
  const grantsBefore = s.link.sent.filter((message) => message._ === 'ext.grantCredit');
  const granted = grantsBefore.reduce((sum, grant) => sum + Number(grant.bytes), 0);
  assert.ok(granted > INITIAL_ANSWER_CREDIT_BYTES - 64 * 1024 && granted <= INITIAL_ANSWER_CREDIT_BYTES + 64, `granted ${granted}`);
  request.grantClientCredit(2 * size);
  assert.equal(s.toClient.filter((message) => message._ === 'client.queryAnswerPartEx').length, relayed + 2);
  s.sink.writable = false;
  request.grantClientCredit(10 * size);
  assert.equal(s.toClient.filter((message) => message._ === 'client.queryAnswerPartEx').length, relayed + 2, 'a full client socket holds them too');
  s.sink.writable = true;
  request.onClientDrain();
  assert.equal(s.toClient.filter((message) => message._ === 'client.queryAnswerPartEx').length, 8);
});

test('a credit-less worker connection is paused while one request holds too much, and released when it drains', () => {
  const s = setup({ worker: NONE });
  const request = start(s);
  request.onWorkerMessage(answer(request));
  s.sink.writable = false; // a client that does not read
  for (let index = 0; index < 20; index++) request.onWorkerMessage(part(request, 512 * 1024));
  assert.equal(s.link.holds, 1, 'held once, above 4 MiB');
  assert.ok(!s.link.sent.some((message) => message._ === 'ext.grantCredit'), 'no extension message to a reference worker');
  s.sink.writable = true;
  request.onClientDrain();
  assert.equal(s.link.holds, 0);
});

test('a ledger write that stalls ends the request with CCN_ERR_TIMEOUT before its deadline passes by much', async () => {
  const s = setup({ accounting: { finish: () => new Promise(() => undefined) } });
  const startedAt = Date.now();
  const request = start(s, 0.5);
  request.onWorkerMessage(answer(request));
  request.onWorkerMessage(part(request, 10, 7n));
  const deadline = Date.now() + 5000;
  while (!s.toClient.some((message) => message._ === 'client.queryAnswerErrorEx') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  const final = s.toClient.at(-1)!;
  assert.equal(final._, 'client.queryAnswerErrorEx');
  assert.equal(final.error_code, WireErrorCode.timeout);
  assert.match(final.error as string, /ledger/);
  assert.ok(Date.now() - startedAt < 2000);
});

test('a final answer that waits for a full client socket still leaves after the request ended, and then reports delivery', async () => {
  const s = setup();
  const request = start(s);
  let done = false;
  let delivered = false;
  request.onDone(() => { done = true; });
  request.onAnswerDelivered(() => { delivered = true; });
  request.onWorkerMessage(answer(request));
  s.sink.writable = false; // 30 streams on one client connection fill its socket buffer
  request.onWorkerMessage(part(request, 1000, 5n));
  for (let turn = 0; turn < 20; turn++) await settle(); // the ledger write resolves, then the final is queued
  assert.equal(done, true, 'the request itself has ended');
  assert.equal(delivered, false, 'but its final message still waits');
  assert.ok(!s.toClient.some((message) => message._ === 'client.queryAnswerPartEx'), 'nothing left while the socket was full');
  s.sink.writable = true;
  request.onClientDrain(); // the connection must still call this for ended requests
  const final = s.toClient.find((message) => message._ === 'client.queryAnswerPartEx');
  assert.ok(final, 'the final part left on drain');
  assert.equal(delivered, true);
});
