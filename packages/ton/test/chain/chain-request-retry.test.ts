/**
 * Retry policy of chain API calls: which failures are transient (no answer, 408/429/5xx gateway
 * errors, 500 except for sendBoc, TonClient's "Malformed response") and retried with doubling
 * delays through the injected sleep, which end at once (rejections, refused API keys, our own
 * CocoonErrors), and the error codes and messages each outcome becomes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, isCocoonError } from '@cocoon/protocol';
import { withChainRetries } from '../../src/chain/chain-request-retry.ts';

/** An axios-style failure with an HTTP answer. */
function httpError(status: number, data?: unknown): Error {
  return Object.assign(new Error(`Request failed with status code ${status}`), { response: { status, data } });
}

/** Runs `what` failing with `failures` in turn (then succeeding); records the sleeps. */
async function run(what: string, failures: unknown[], policy: { attempts?: number; retryDelayMs?: number } = {}) {
  const sleeps: number[] = [];
  let calls = 0;
  const outcome: { value?: string; error?: unknown } = await withChainRetries(what, { ...policy, sleep: async (ms) => { sleeps.push(ms); } }, () => {
    const failure = failures[calls++];
    return failure === undefined ? Promise.resolve('answer') : Promise.reject(failure as Error);
  }).then((value) => ({ value }), (error: unknown) => ({ error }));
  return { ...outcome, calls, sleeps };
}

function assertCode(error: unknown, code: string, pattern: RegExp): void {
  assert.ok(isCocoonError(error), `a CocoonError, got ${String(error)}`);
  assert.equal(error.code, code);
  assert.match(error.message, pattern);
}

describe('withChainRetries', () => {
  const transient: Array<[string, string, unknown]> = [
    ['no answer (connection refused)', 'getTransactions', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })],
    ['a timeout', 'runGetMethod', new Error('timeout of 15000ms exceeded')],
    ['HTTP 408', 'sendBoc', httpError(408)],
    ['HTTP 429', 'sendBoc', httpError(429, { ok: false, error: 'Ratelimit exceed', code: 429 })],
    ['HTTP 502', 'sendBoc', httpError(502)],
    ['HTTP 503', 'sendBoc', httpError(503)],
    ['HTTP 504', 'sendBoc', httpError(504)],
    ['HTTP 500 on a read', 'getAddressInformation', httpError(500, { ok: false, error: 'LITE_SERVER_NOTREADY' })],
    ['HTTP 599 on a read', 'runGetMethod', httpError(599)],
    ['a malformed 200 answer', 'runGetMethod', new Error('Malformed response: ...')],
    ['an error inside a 200 answer', 'getTransactions', new Error('Received error: {...}')],
    ['a non-Error value', 'runGetMethod', 'socket hang up'],
  ];
  for (const [name, what, failure] of transient) {
    test(`${name} is retried, then succeeds`, async () => {
      const outcome = await run(what, [failure, failure]);
      assert.deepEqual([outcome.value, outcome.calls, outcome.sleeps], ['answer', 3, [500, 1000]]);
    });
  }

  test('persistent transient failures end as CCN_ERR_TON_UNAVAILABLE after exactly `attempts` tries, delays doubling', async () => {
    const failure = httpError(503, { ok: false, error: 'overloaded' });
    const outcome = await run('getAddressInformation', Array(10).fill(failure), { attempts: 5, retryDelayMs: 100 });
    assert.deepEqual([outcome.calls, outcome.sleeps], [5, [100, 200, 400, 800]]);
    assertCode(outcome.error, 'CCN_ERR_TON_UNAVAILABLE', /^chain API unavailable for getAddressInformation after 5 attempts \(HTTP 503\): overloaded$/);
    assert.equal((outcome.error as CocoonError).cause, failure);
    const silent = await run('runGetMethod', Array(10).fill(new Error('socket hang up')));
    assert.deepEqual([silent.calls, silent.sleeps], [4, [500, 1000, 2000]], 'defaults: 4 attempts from 500 ms');
    assertCode(silent.error, 'CCN_ERR_TON_UNAVAILABLE', /\(no answer\): socket hang up/);
  });

  test('attempts below 1 still make one attempt', async () => {
    for (const attempts of [0, -3]) {
      const outcome = await run('runGetMethod', [httpError(503), httpError(503)], { attempts });
      assert.deepEqual([outcome.calls, outcome.sleeps], [1, []]);
      assertCode(outcome.error, 'CCN_ERR_TON_UNAVAILABLE', /after 1 attempts/);
    }
  });

  const final: Array<[string, string, unknown, string, RegExp]> = [
    ['a rejected external (500 on sendBoc)', 'sendBoc', httpError(500, { ok: false, error: 'cannot apply external message' }), 'CCN_ERR_TON_TRANSACTION_FAILED', /^sendBoc rejected by the chain API \(HTTP 500\): cannot apply external message$/],
    ['a bad request', 'runGetMethod', httpError(400, 'invalid address'), 'CCN_ERR_TON_TRANSACTION_FAILED', /\(HTTP 400\): invalid address$/],
    ['a 404', 'getTransactions', httpError(404, ''), 'CCN_ERR_TON_TRANSACTION_FAILED', /\(HTTP 404\): Request failed with status code 404$/],
    ['a refused API key (401)', 'runGetMethod', httpError(401, { ok: false, error: 'API key does not exist' }), 'CCN_ERR_TON_UNAVAILABLE', /refused runGetMethod \(HTTP 401\): check the API key/],
    ['a forbidden API key (403)', 'sendBoc', httpError(403), 'CCN_ERR_TON_UNAVAILABLE', /\(HTTP 403\): check the API key/],
  ];
  for (const [name, what, failure, code, pattern] of final) {
    test(`${name} is not retried: ${code}`, async () => {
      const outcome = await run(what, [failure]);
      assert.deepEqual([outcome.calls, outcome.sleeps], [1, []]);
      assertCode(outcome.error, code, pattern);
    });
  }

  test('a long error text is cut to 200 characters', async () => {
    const outcome = await run('runGetMethod', [httpError(400, 'x'.repeat(1000))]);
    assert.match((outcome.error as Error).message, /: x{200}$/);
  });

  test('a CocoonError from the operation passes through untouched and unretried', async () => {
    const own = new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', 'not a root');
    const outcome = await run('runGetMethod', [own]);
    assert.deepEqual([outcome.error, outcome.calls, outcome.sleeps], [own, 1, []]);
  });
});
