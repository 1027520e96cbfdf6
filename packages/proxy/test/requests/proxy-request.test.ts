/** A proxy request with worker-link and client doubles: relay, retries, timeouts, accounting. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, WireErrorCode, createLogger, encodeHttpResponse } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { ProxyRequest } from '../../src/requests/proxy-request.ts';
import type { ProxyRequestContext, ProxyRequestSink, WorkerLink } from '../../src/requests/proxy-request-context.ts';
import { RetryPolicy, WorkerRegistry } from '../../src/routing/index.ts';
import { ClientAccount, CompletionAccounting } from '../../src/billing/index.ts';
import { InMemoryLedger } from '../../src/ledger/index.ts';
import type { LedgerTotals } from '../../src/ledger/index.ts';

/** Test double of a worker connection: records what the proxy sends it. */
class RecordingWorkerLink implements WorkerLink {
  sent: TlObject[] = [];
  payments: bigint[] = [];
  attached: ProxyRequest | undefined;
  attach(request: ProxyRequest) { this.attached = request; }
  detach() { this.attached = undefined; }
  send(message: TlObject) { this.sent.push(message); }
  signedPayment(): TlObject { return { _: 'proxy.signedPaymentEmpty' }; }
  sendPayment(_id: Buffer, tokens: bigint, _totals: LedgerTotals) { this.payments.push(tokens); }
}

function setup(options: { maxAttempts?: number; maxActiveRequests?: number; connected?: boolean } = {}) {
  const now = () => Date.now();
  const registry = new WorkerRegistry({ now });
  const links = new Map<string, RecordingWorkerLink>();
  for (const id of ['w1', 'w2']) {
    registry.register({ id, ownerAddress: `owner-${id}`, modelBaseName: 'm', modelFullName: 'm@r:h', coefficient: 1000, maxActiveRequests: options.maxActiveRequests ?? 5, enabled: true });
    if (options.connected !== false) links.set(id, new RecordingWorkerLink());
  }
  const ledger = new InMemoryLedger();
  const completion = new CompletionAccounting({ ledger, prices: () => ({ pricePerToken: 20n, workerFeePerToken: 19n }) });
  const stats = { rejected: 0, retried: 0, finished: [] as boolean[] };
  const context: ProxyRequestContext = {
    registry, workerLinks: links as Map<string, WorkerLink>, logger: createLogger('proxy', { level: 'error' }), now, configVersion: 0,
    retryPolicy: new RetryPolicy({ maxAttempts: options.maxAttempts ?? 3 }),
    accounting: {
      async finish(request) {
        const entry = await completion.finish(request);
        return { client: await ledger.clientTotals(entry.clientOwner), worker: await ledger.workerTotals(entry.workerOwner) };
      },
    },
    stats: { rejected: () => void stats.rejected++, retried: () => void stats.retried++, finished: (success) => void stats.finished.push(success) },
  };
  const account = new ClientAccount({ ownerAddress: 'client', state: { status: 'active', balanceNanoton: 10n ** 12n, stakeNanoton: 10n ** 11n, chargedTokens: 0n }, pricePerToken: () => 20n });
  const toClient: TlObject[] = [];
  const clientPayments: bigint[] = [];
  const sink: ProxyRequestSink = {
    clientOwner: 'client', account, detached: false,
    send: (message) => toClient.push(message),
    sendPayment: (_id, tokens) => clientPayments.push(tokens),
  };
  return { context, sink, links, ledger, stats, toClient, clientPayments, account };
}

function newRequest(setupResult: ReturnType<typeof setup>, timeoutSeconds = 10): ProxyRequest {
  return new ProxyRequest(setupResult.context, setupResult.sink, {
    modelName: 'm', query: Buffer.alloc(100), maxCoefficient: 4000, maxTokens: 100, timeoutSeconds, clientRequestId: Buffer.alloc(32, 1), enableDebug: false,
  });
}

const tokens = (total: bigint): TlObject => ({ _: 'tokensUsed', prompt_tokens_used: total, cached_tokens_used: 0n, completion_tokens_used: 0n, reasoning_tokens_used: 0n, total_tokens_used: total });
const finalInfo = (total: bigint): TlObject => ({ _: 'proxy.queryFinalInfo', flags: 2, tokens_used: tokens(total), worker_start_time: 1, worker_end_time: 2 });
const answer = (requestId: Buffer, flags = 0, total = 0n): TlObject => ({
  _: 'proxy.queryAnswerEx', request_id: requestId, flags,
  answer: encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [], payload: Buffer.alloc(0) }),
  ...(flags & 1 ? { final_info: finalInfo(total) } : {}),
});
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('relays answer and parts to the client and bills the final tokens once', async () => {
  const s = setup();
  const request = newRequest(s);
  request.start();
  const link = s.links.get('w1')!;
  assert.equal(link.sent[0]!._, 'proxy.runQueryEx');
  assert.ok((link.sent[0]!.timeout as number) < 10, 'the worker gets 0.95× the time');
  request.onWorkerMessage(answer(request.workerRequestId));
  request.onWorkerMessage({ _: 'proxy.queryAnswerPartEx', request_id: request.workerRequestId, answer: Buffer.from('body'), flags: 1, final_info: finalInfo(134n) });
  await settle();
  assert.deepEqual(s.toClient.map((message) => message._), ['client.queryAnswerEx', 'client.queryAnswerPartEx']);
  assert.equal(((s.toClient[1]!.final_info as TlObject).tokens_used as TlObject).total_tokens_used, 134n);
  assert.deepEqual(s.clientPayments, [134n]);
  assert.deepEqual(link.payments, [134n]);
  assert.equal((await s.ledger.summary()).clientPaidNanoton, 134n * 20n);
  assert.equal(s.account.reservedTokens, 0n, 'reservation released');
  assert.equal(s.account.usedTokens, 134n);
});

test('a worker that disconnects before answering is replaced by another worker', async () => {
  const s = setup();
  const request = newRequest(s);
  request.start();
  request.onWorkerGone(new CocoonError('CCN_ERR_SESSION_CLOSED'));
  assert.equal(s.links.get('w2')!.sent[0]!._, 'proxy.runQueryEx');
  request.onWorkerMessage(answer(request.workerRequestId, 1, 10n));
  await settle();
  assert.equal(s.stats.retried, 1);
  assert.deepEqual(s.toClient.map((message) => message._), ['client.queryAnswerEx']);
  assert.deepEqual(s.clientPayments, [10n]);
});

test('an overloaded worker (not ready) is retried; a refused request (protocol error) is not', async () => {
  const retried = setup();
  const first = newRequest(retried);
  first.start();
  first.onWorkerMessage({ _: 'proxy.queryAnswerErrorEx', request_id: first.workerRequestId, error_code: WireErrorCode.notReady, error: 'worker: too many active queries', flags: 0 });
  assert.equal(retried.links.get('w2')!.sent.length, 1);

  const refused = setup();
  const second = newRequest(refused);
  second.start();
  second.onWorkerMessage({ _: 'proxy.queryAnswerErrorEx', request_id: second.workerRequestId, error_code: WireErrorCode.protoViolation, error: "worker: invalid http request: unknown option 'x'", flags: 0 });
  assert.equal(refused.links.get('w2')!.sent.length, 0);
  await settle();
  assert.equal(refused.toClient[0]!._, 'client.queryAnswerErrorEx');
  assert.equal(refused.toClient[0]!.error_code, WireErrorCode.protoViolation);
});

test('no retry once the answer has started: the client gets an error after the partial answer', async () => {
  const s = setup();
  const request = newRequest(s);
  request.start();
  request.onWorkerMessage(answer(request.workerRequestId));
  request.onWorkerGone(new CocoonError('CCN_ERR_SESSION_CLOSED'));
  assert.equal(s.links.get('w2')!.sent.length, 0);
  await settle();
  assert.deepEqual(s.toClient.map((message) => message._), ['client.queryAnswerEx', 'client.queryAnswerErrorEx']);
});

test('attempts are bounded', async () => {
  const s = setup({ maxAttempts: 2 });
  const request = newRequest(s);
  request.start();
  request.onWorkerGone(new CocoonError('CCN_ERR_SESSION_CLOSED'));
  request.onWorkerGone(new CocoonError('CCN_ERR_SESSION_CLOSED'));
  await settle();
  assert.equal(s.toClient.length, 1);
  assert.equal(s.toClient[0]!._, 'client.queryAnswerErrorEx');
  assert.equal(s.stats.retried, 1);
});

test('the proxy timer ends a silent request with a timeout error, and later answers are ignored', async () => {
  const s = setup();
  const request = newRequest(s, 0.05);
  request.start();
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(s.toClient[0]!._, 'client.queryAnswerErrorEx');
  assert.equal(s.toClient[0]!.error_code, WireErrorCode.timeout);
  request.onWorkerMessage(answer(request.workerRequestId, 1, 5n));
  assert.equal(s.toClient.length, 1);
  assert.equal(s.account.reservedTokens, 0n);
});

test('a part before the answer is a protocol violation reported to the client', async () => {
  const s = setup({ maxAttempts: 1 });
  const request = newRequest(s);
  request.start();
  request.onWorkerMessage({ _: 'proxy.queryAnswerPartEx', request_id: request.workerRequestId, answer: Buffer.from('x'), flags: 0 });
  await settle();
  assert.equal(s.toClient[0]!._, 'client.queryAnswerErrorEx');
  assert.match(s.toClient[0]!.error as string, /part before answer/);
});

test('the final message waits until the usage is durable in the ledger, so a crash cannot leave an answer unbilled', async () => {
  const s = setup();
  const finish = s.context.accounting.finish.bind(s.context.accounting);
  let markDurable!: () => void;
  const durable = new Promise<void>((resolve) => { markDurable = resolve; });
  s.context.accounting = { finish: async (request) => { const totals = await finish(request); await durable; return totals; } };
  const request = newRequest(s);
  request.start();
  request.onWorkerMessage(answer(request.workerRequestId));
  request.onWorkerMessage({ _: 'proxy.queryAnswerPartEx', request_id: request.workerRequestId, answer: Buffer.from('part'), flags: 0 });
  request.onWorkerMessage({ _: 'proxy.queryAnswerPartEx', request_id: request.workerRequestId, answer: Buffer.from('last'), flags: 1, final_info: finalInfo(7n) });
  await settle();
  assert.deepEqual(s.toClient.map((message) => message._), ['client.queryAnswerEx', 'client.queryAnswerPartEx'], 'streamed parts go out at once, the final part waits');
  assert.deepEqual(s.clientPayments, []);
  markDurable();
  await settle();
  await settle();
  assert.deepEqual(s.toClient.map((message) => message.answer?.toString()).slice(1), ['part', 'last']);
  assert.equal(((s.toClient[2]!.final_info as TlObject).tokens_used as TlObject).total_tokens_used, 7n);
  assert.deepEqual(s.clientPayments, [7n], 'the payment follows the final answer');
});

test('a ledger failure is logged and the answer still reaches the client, without payment messages', async () => {
  const s = setup();
  s.context.accounting = { finish: () => Promise.reject(new Error('disk full')) };
  const request = newRequest(s);
  request.start();
  request.onWorkerMessage(answer(request.workerRequestId, 1, 5n));
  await settle();
  await settle();
  assert.deepEqual(s.toClient.map((message) => message._), ['client.queryAnswerEx']);
  assert.deepEqual(s.clientPayments, []);
  assert.deepEqual(s.links.get('w1')!.payments, []);
});

test('every worker at its limit: the client gets "workers busy" (notready, reference message prefix), not "no workers"', async () => {
  const s = setup({ maxActiveRequests: 1 });
  const running = [newRequest(s), newRequest(s)];
  for (const request of running) request.start();
  assert.deepEqual([...s.links.values()].map((link) => link.sent.length), [1, 1], 'one request on each worker');
  const third = newRequest(s);
  third.start();
  await settle();
  const error = s.toClient.at(-1)!;
  assert.equal(error._, 'client.queryAnswerErrorEx');
  assert.equal(error.error_code, WireErrorCode.notReady);
  assert.equal(error.error, 'no workers for model m: all 2 busy');
  assert.equal(s.stats.rejected, 1);
});

test('registered workers without a live connection: "no workers", not busy', async () => {
  const s = setup({ connected: false });
  newRequest(s).start();
  await settle();
  const error = s.toClient.at(-1)!;
  assert.equal(error._, 'client.queryAnswerErrorEx');
  assert.equal(error.error_code, WireErrorCode.notReady);
  assert.equal(error.error, 'no workers for model m');
});
