/** Tests for the retry-on-another-worker decision. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, type CocoonErrorCode } from '@cocoon/protocol';
import { RetryPolicy } from '../../src/routing/index.ts';

const retryable: CocoonErrorCode[] = ['CCN_ERR_WORKER_DISCONNECTED', 'CCN_ERR_WORKER_OVERLOADED', 'CCN_ERR_WORKER_DISABLED', 'CCN_ERR_ROUTE_NO_WORKER', 'CCN_ERR_ENGINE_UNAVAILABLE'];
const final: CocoonErrorCode[] = ['CCN_ERR_ENGINE_FAILED', 'CCN_ERR_ROUTE_UNKNOWN_MODEL', 'CCN_ERR_ROUTE_COEFFICIENT_TOO_LOW', 'CCN_ERR_BILLING_INSUFFICIENT_BALANCE', 'CCN_ERR_TIMEOUT', 'CCN_ERR_WORKER_INVALID_REQUEST'];

describe('RetryPolicy', () => {
  const policy = new RetryPolicy();

  test('defaults to 3 attempts', () => {
    assert.equal(policy.maxAttempts, 3);
  });

  for (const code of retryable) {
    test(`${code}: retried before the answer starts while attempts remain`, () => {
      const error = new CocoonError(code);
      assert.equal(policy.shouldRetry(error, 1, false), true);
      assert.equal(policy.shouldRetry(error, 2, false), true);
      assert.equal(policy.shouldRetry(error, 3, false), false, 'no attempts left');
      assert.equal(policy.shouldRetry(error, 1, true), false, 'answer already started');
    });
  }

  for (const code of final) {
    test(`${code}: never retried`, () => {
      assert.equal(policy.shouldRetry(new CocoonError(code), 1, false), false);
    });
  }

  test('non-Cocoon errors are not retried', () => {
    assert.equal(policy.shouldRetry(new Error('boom'), 1, false), false);
    assert.equal(policy.shouldRetry('boom', 1, false), false);
    assert.equal(policy.shouldRetry(undefined, 1, false), false);
  });

  test('maxAttempts 1 never retries; invalid values are rejected', () => {
    assert.equal(new RetryPolicy({ maxAttempts: 1 }).shouldRetry(new CocoonError('CCN_ERR_WORKER_DISCONNECTED'), 1, false), false);
    assert.equal(new RetryPolicy({ maxAttempts: 5 }).shouldRetry(new CocoonError('CCN_ERR_WORKER_DISCONNECTED'), 4, false), true);
    assert.throws(() => new RetryPolicy({ maxAttempts: 0 }), CocoonError);
    assert.throws(() => new RetryPolicy({ maxAttempts: 1.5 }), CocoonError);
  });
});
