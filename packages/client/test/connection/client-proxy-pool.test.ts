/**
 * ClientProxyPool (docs/protocol.md §1.2) over test doubles of proxy connections: the least loaded ready
 * connection is chosen (not-ready ones skipped); a request refused with a retryable code or whose session
 * was lost before any answer goes to another proxy with what is left of its timeout; a non-retryable
 * refusal, an error after the answer began, a single proxy, or no time left go to the app as they are.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import type { ClientRunQueryEx, SessionExtension, TlObject } from '@cocoon/protocol';
import { ClientProxyPool, type PooledProxyConnection } from '../../src/connection/client-proxy-pool.ts';
import type { AnswerListener, RunningQueryLink } from '../../src/connection/client-proxy-connection.ts';

/** Test double of a proxy connection: records what was sent; the test plays the proxy's answers. */
class ConnectionDouble implements PooledProxyConnection {
  isReady = true;
  protoVersion = 4;
  readonly sent: ClientRunQueryEx[] = [];
  readonly forgotten: string[] = [];
  listener: AnswerListener | undefined;
  constructor(readonly address: string, private readonly extensions: ReadonlySet<SessionExtension> = new Set(['errorCodes'])) {}
  runQuery(query: ClientRunQueryEx, listener: AnswerListener): RunningQueryLink {
    if (!this.isReady) throw new CocoonError('CCN_ERR_ROUTE_NO_PROXY');
    this.sent.push(query);
    this.listener = listener;
    return { extensions: this.extensions, cancel: () => undefined, grantCredit: () => undefined, holdReading: () => () => undefined };
  }
  forget(requestId: Buffer): void { this.forgotten.push(requestId.toString('hex')); }
  async query(): Promise<TlObject> { return { _: 'client.workerTypesV2', types: [] }; }
}

/** Test double of the gateway's listener: what reached the app. */
class AppListener implements AnswerListener {
  readonly messages: TlObject[] = [];
  lost: CocoonError | undefined;
  onAnswerMessage(message: TlObject): void { this.messages.push(message); }
  onConnectionLost(error: CocoonError): void { this.lost = error; }
}

const query = (timeout = 10): ClientRunQueryEx => ({
  _: 'client.runQueryEx', model_name: 'm', query: Buffer.from('q'), max_coefficient: 4000, max_tokens: 10, timeout,
  request_id: Buffer.alloc(32, 1), min_config_version: 0, flags: 1,
});
const coded = (code: string, wire = 502): TlObject => ({ _: 'ext.clientQueryAnswerErrorCoded', request_id: Buffer.alloc(32, 1), error_code: wire, error: 'refused', ccn_code: code, flags: 0 });
const answer: TlObject = { _: 'client.queryAnswerEx', request_id: Buffer.alloc(32, 1), answer: Buffer.alloc(0), flags: 0 };

describe('ClientProxyPool', () => {
  test('the least loaded ready connection is chosen; not-ready ones are skipped', () => {
    const [a, b, c] = [new ConnectionDouble('a:1'), new ConnectionDouble('b:1'), new ConnectionDouble('c:1')];
    c.isReady = false;
    const pool = new ClientProxyPool([a, b, c]);
    pool.route().runQuery(query(), new AppListener());
    pool.route().runQuery(query(), new AppListener());
    pool.route().runQuery(query(), new AppListener());
    assert.deepEqual([a.sent.length, b.sent.length, c.sent.length], [2, 1, 0]);
    assert.equal(pool.inFlightOn(a), 2);
    a.isReady = false;
    b.isReady = false;
    assert.throws(() => pool.route(), (error: CocoonError) => error.code === 'CCN_ERR_ROUTE_NO_PROXY');
  });

  test('a retryable refusal before any answer is sent to another proxy with the time left', () => {
    let now = 0;
    const [a, b] = [new ConnectionDouble('a:1'), new ConnectionDouble('b:1')];
    const failovers: string[] = [];
    const pool = new ClientProxyPool([a, b], { now: () => now, onFailover: (event) => failovers.push(`${event.from}->${event.to}`) });
    const app = new AppListener();
    const route = pool.route();
    route.runQuery(query(10), app);
    now = 2000;
    a.listener!.onAnswerMessage(coded('CCN_ERR_ROUTE_NO_WORKER', 503));
    assert.equal(app.messages.length, 0, 'the app saw nothing of the refusal');
    assert.equal(b.sent[0]?.timeout, 8);
    assert.deepEqual(a.forgotten, [Buffer.alloc(32, 1).toString('hex')]);
    assert.deepEqual(failovers, ['a:1->b:1']);
    b.listener!.onAnswerMessage(answer);
    assert.deepEqual(app.messages, [answer]);
    route.forget(Buffer.alloc(32, 1));
    assert.deepEqual([pool.inFlightOn(a), pool.inFlightOn(b)], [0, 0]);
  });

  test('a lost session before any answer fails over; after the answer began it goes to the app', () => {
    const [a, b] = [new ConnectionDouble('a:1'), new ConnectionDouble('b:1')];
    const pool = new ClientProxyPool([a, b]);
    const app = new AppListener();
    pool.route().runQuery(query(), app);
    a.listener!.onConnectionLost(new CocoonError('CCN_ERR_SESSION_CLOSED'));
    assert.equal(b.sent.length, 1);
    b.listener!.onAnswerMessage(answer);
    b.listener!.onConnectionLost(new CocoonError('CCN_ERR_SESSION_CLOSED'));
    assert.equal(app.lost?.code, 'CCN_ERR_SESSION_CLOSED', 'bytes reached the app: no second attempt');
    assert.equal(a.sent.length + b.sent.length, 2);
  });

  test('not retried: a non-retryable refusal, every proxy tried, a single proxy, no time left', () => {
    let now = 0;
    const [a, b] = [new ConnectionDouble('a:1'), new ConnectionDouble('b:1')];
    const pool = new ClientProxyPool([a, b], { now: () => now });
    const refused = new AppListener();
    pool.route().runQuery(query(), refused);
    a.listener!.onAnswerMessage(coded('CCN_ERR_HTTP_BAD_REQUEST', 400));
    assert.equal(refused.messages.length, 1);
    assert.equal(b.sent.length, 0);

    const twice = new AppListener();
    new ClientProxyPool([a, b]).route().runQuery(query(), twice);
    a.listener!.onConnectionLost(new CocoonError('CCN_ERR_SESSION_CLOSED'));
    b.listener!.onConnectionLost(new CocoonError('CCN_ERR_SESSION_CLOSED'));
    assert.equal(twice.lost?.code, 'CCN_ERR_SESSION_CLOSED', 'each proxy is tried once');

    const single = new AppListener();
    const only = new ConnectionDouble('only:1');
    new ClientProxyPool([only, new ConnectionDouble('only:1')]).route().runQuery(query(), single);
    only.listener!.onConnectionLost(new CocoonError('CCN_ERR_SESSION_CLOSED'));
    assert.ok(single.lost, 'another connection to the same proxy is not another proxy');

    const late = new AppListener();
    const [c, d] = [new ConnectionDouble('c:1'), new ConnectionDouble('d:1')];
    new ClientProxyPool([c, d], { now: () => now }).route().runQuery(query(1), late);
    now += 600;
    c.listener!.onAnswerMessage(coded('CCN_ERR_WORKER_DISCONNECTED'));
    assert.equal(late.messages.length, 1, 'under 0.5 s left: the refusal goes to the app');
    assert.equal(d.sent.length, 0);
  });

  test('a reference proxy is read by its texts: "no workers for model" is retryable', () => {
    const [a, b] = [new ConnectionDouble('a:1', new Set()), new ConnectionDouble('b:1')];
    const app = new AppListener();
    new ClientProxyPool([a, b]).route().runQuery(query(), app);
    a.listener!.onAnswerMessage({ _: 'client.queryAnswerError', request_id: Buffer.alloc(32, 1), error_code: 502, error: 'no workers for model m' });
    assert.equal(b.sent.length, 1);
    assert.equal(app.messages.length, 0);
  });
});
