/**
 * The app's routing preferences inside a proxy request (§4.4), with worker-link and client doubles and
 * an injected clock: sort steers the choice, allow_fallbacks=false never retries, an unknown sort is a
 * bad request, and the request's relayed answers feed the worker's TTFT, throughput and reliability.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, createLogger, encodeHttpResponse } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { ProxyRequest, type ClientRunQuery } from '../../src/requests/proxy-request.ts';
import type { ProxyRequestContext, ProxyRequestSink, WorkerLink } from '../../src/requests/proxy-request-context.ts';
import { RetryPolicy, WorkerRegistry } from '../../src/routing/index.ts';
import { ClientAccount, CompletionAccounting } from '../../src/billing/index.ts';
import { InMemoryLedger } from '../../src/ledger/index.ts';
import type { LedgerTotals } from '../../src/ledger/index.ts';

/** Test double of a worker connection: records what the proxy sends it. */
class RecordingWorkerLink implements WorkerLink {
  sent: TlObject[] = [];
  attach() {}
  detach() {}
  send(message: TlObject) { this.sent.push(message); }
  signedPayment(): TlObject { return { _: 'proxy.signedPaymentEmpty' }; }
  sendPayment(_id: Buffer, _tokens: bigint, _totals: LedgerTotals) {}
}

function setup() {
  const clock = { ms: 5_000_000 };
  const now = () => clock.ms;
  const registry = new WorkerRegistry({ now });
  const links = new Map<string, RecordingWorkerLink>();
  const workers: Array<[string, number]> = [['pricey', 3000], ['cheap', 1000]];
  for (const [id, coefficient] of workers) {
    registry.register({ id, ownerAddress: `owner-${id}`, modelBaseName: 'm', modelFullName: 'm@r:h', coefficient, maxActiveRequests: 5, enabled: true });
    links.set(id, new RecordingWorkerLink());
  }
  const ledger = new InMemoryLedger();
  const completion = new CompletionAccounting({ ledger, prices: () => ({ pricePerToken: 20n, workerFeePerToken: 19n }) });
  const context: ProxyRequestContext = {
    registry, workerLinks: links as Map<string, WorkerLink>, logger: createLogger('proxy', { level: 'error' }), now, configVersion: 0,
    retryPolicy: new RetryPolicy({ maxAttempts: 3 }),
    accounting: {
      async finish(request) {
        const entry = await completion.finish(request);
        return { client: await ledger.clientTotals(entry.clientOwner), worker: await ledger.workerTotals(entry.workerOwner) };
      },
    },
    stats: { rejected: () => undefined, retried: () => undefined, finished: () => undefined },
  };
  const account = new ClientAccount({ ownerAddress: 'client', state: { status: 'active', balanceNanoton: 10n ** 12n, stakeNanoton: 10n ** 11n, chargedTokens: 0n }, pricePerToken: () => 20n });
  const toClient: TlObject[] = [];
  const sink: ProxyRequestSink = { clientOwner: 'client', account, detached: false, send: (message) => toClient.push(message), sendPayment: () => undefined };
  const start = (extra: Partial<ClientRunQuery> = {}) => {
    const request = new ProxyRequest(context, sink, {
      modelName: 'm', query: Buffer.alloc(10), maxCoefficient: 4000, maxTokens: 100, timeoutSeconds: 10, clientRequestId: Buffer.alloc(32, 1), enableDebug: false, ...extra,
    });
    request.start();
    return request;
  };
  const chosen = () => [...links].filter(([, link]) => link.sent.length > 0).map(([id]) => id);
  return { clock, registry, links, toClient, start, chosen };
}

const finalInfo = (completion: bigint): TlObject => ({
  _: 'proxy.queryFinalInfo', flags: 2, worker_start_time: 1, worker_end_time: 2,
  tokens_used: { _: 'tokensUsed', prompt_tokens_used: 5n, cached_tokens_used: 0n, completion_tokens_used: completion, reasoning_tokens_used: 0n, total_tokens_used: 5n + completion },
});
const head = (requestId: Buffer): TlObject => ({
  _: 'proxy.queryAnswerEx', request_id: requestId, flags: 0,
  answer: encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [], payload: Buffer.alloc(0) }),
});
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('without preferences the market score picks the cheaper worker; sort steers it by the measured answers', async () => {
  const s = setup();
  // A request's own answers are what the proxy measures: first answer after ttftMs, 100 completion tokens 1 s later.
  const answer = (request: ProxyRequest, ttftMs: number) => {
    s.clock.ms += ttftMs;
    request.onWorkerMessage(head(request.workerRequestId));
    s.clock.ms += 1000;
    request.onWorkerMessage({ _: 'proxy.queryAnswerPartEx', request_id: request.workerRequestId, answer: Buffer.from('x'), flags: 1, final_info: finalInfo(100n) });
  };
  answer(s.start(), 3000);
  assert.deepEqual(s.chosen(), ['cheap'], 'unmeasured: the cheaper one');
  s.registry.setEnabled('cheap', false);
  const second = s.start({ clientRequestId: Buffer.alloc(32, 2) });
  s.registry.setEnabled('cheap', true);
  answer(second, 50);
  await settle();
  assert.equal(s.registry.get('cheap')!.market.ttftMs(), 3000);
  assert.equal(s.registry.get('pricey')!.market.ttftMs(), 50);
  assert.equal(s.registry.get('pricey')!.market.tokensPerSecond(), 100, '100 completion tokens over the 1 s after the first answer');
  const choice = (preferences?: { sort: string; allowFallbacks: boolean }) => {
    for (const link of s.links.values()) link.sent.length = 0;
    const request = s.start({ clientRequestId: Buffer.alloc(32, 3), ...(preferences ? { preferences } : {}) });
    const [id] = s.chosen();
    // ends it at once with the app's fault (a 602 error): no running request and no failure are left behind
    request.onWorkerMessage({ _: 'proxy.queryAnswerErrorEx', request_id: request.workerRequestId, error_code: 602, error: 'bad request', flags: 0 });
    return id;
  };
  assert.equal(choice(), 'pricey', 'the score: 3 + 0.05 + 0.5 beats 1 + 3 + 0.5');
  assert.equal(choice({ sort: 'price', allowFallbacks: true }), 'cheap', 'sort=price: the cheap one although it is slow');
  assert.equal(choice({ sort: 'latency', allowFallbacks: true }), 'pricey', 'sort=latency: the fast one although it costs 3×');
  assert.equal(s.registry.get('cheap')!.market.successRate(), 1, 'the app\'s bad requests do not count against a worker');
});

test('allow_fallbacks=false: a failed attempt is not retried on another worker', async () => {
  const s = setup();
  const request = s.start({ preferences: { sort: '', allowFallbacks: false } });
  assert.deepEqual(s.chosen(), ['cheap']);
  request.onWorkerGone(new CocoonError('CCN_ERR_SESSION_CLOSED'));
  await settle();
  assert.equal(s.links.get('pricey')!.sent.length, 0, 'no fallback to the other worker');
  assert.equal(s.toClient.length, 1);
  assert.ok(['client.queryAnswerErrorEx', 'ext.clientQueryAnswerErrorCoded'].includes(s.toClient[0]!._));

  const fallback = setup();
  const retried = fallback.start({ preferences: { sort: '', allowFallbacks: true } });
  retried.onWorkerGone(new CocoonError('CCN_ERR_SESSION_CLOSED'));
  assert.equal(fallback.links.get('pricey')!.sent.length, 1, 'with fallbacks allowed the next worker is tried');
  assert.equal(fallback.registry.get('cheap')!.market.coolingDown(fallback.clock.ms), true, 'the disconnect counts against the worker');
});

test('a cancelled request does not count against the worker', async () => {
  const s = setup();
  const request = s.start();
  request.cancel('the app left');
  request.onWorkerMessage({ _: 'proxy.queryAnswerErrorEx', request_id: request.workerRequestId, error_code: 653, error: 'cancelled', flags: 0 });
  await settle();
  assert.equal(s.registry.get('cheap')!.market.coolingDown(s.clock.ms), false);
  assert.equal(s.registry.get('cheap')!.market.successRate(), 1);
});

test('an unknown sort is a bad request: nothing is forwarded', async () => {
  const s = setup();
  s.start({ preferences: { sort: 'cheapest', allowFallbacks: true } });
  await settle();
  assert.deepEqual(s.chosen(), []);
  assert.equal(s.toClient.length, 1);
  assert.match(String(s.toClient[0]!.error), /sort must be one of price, latency, throughput/);
});
